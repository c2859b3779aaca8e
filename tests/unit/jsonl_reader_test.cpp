// tests/unit/jsonl_reader_test.cpp — the JSON event reader: framing (lines,
// pretty-printed concatenated documents, arrays), the three layouts, bad
// documents as diagnostics, timestamps.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "sigil/jsonl.h"

using namespace sigil;

namespace {

struct Got {
    std::vector<std::multimap<std::string, std::string>> events;
    std::vector<uint64_t> lines;
    std::vector<int64_t> times;
    Diagnostics diags;
    JsonReadStats stats;
};

Got read(std::string_view text, JsonReadOptions o = {}) {
    Got g;
    g.stats = read_json_bytes(
        text, "t.json",
        [&](const Event& e) {
            std::multimap<std::string, std::string> m;
            for (auto& f : e.fields)
                m.emplace(std::string(f.name), f.is_null ? "<null>" : std::string(f.value));
            g.events.push_back(m);
            g.lines.push_back(e.record_id);
            g.times.push_back(e.time_unix_ms);
            return true;
        },
        g.diags, o);
    return g;
}

std::string get(const std::multimap<std::string, std::string>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? "<absent>" : it->second;
}

}  // namespace

TEST(JsonReader, FlatLinesWithBadLine) {
    auto g = read(
        "{\"EventID\":1,\"Channel\":\"Microsoft-Windows-Sysmon/"
        "Operational\",\"Image\":\"C:\\\\a.exe\","
        "\"SourceName\":\"Microsoft-Windows-Sysmon\",\"Hostname\":\"h1\",\"tags\":[\"x\",\"y\"]}\n"
        "this is not json\n"
        "\n"
        "{\"EventID\":4688,\"Keywords\":-9223372036854775808,\"f\":1.5,\"b\":true,\"n\":null,"
        "\"o\":{\"p\":{\"q\":\"deep\"}}}\r\n"
        "[1,2]\n");
    ASSERT_EQ(g.events.size(), 2u);
    EXPECT_EQ(get(g.events[0], "EventID"), "1");
    EXPECT_EQ(get(g.events[0], "Image"), "C:\\a.exe");
    EXPECT_EQ(get(g.events[0], "Provider_Name"), "Microsoft-Windows-Sysmon");
    EXPECT_EQ(get(g.events[0], "Computer"), "h1");
    EXPECT_EQ(g.events[0].count("tags"), 2u);
    EXPECT_EQ(get(g.events[1], "Keywords"), "-9223372036854775808");
    EXPECT_EQ(get(g.events[1], "f"), "1.5");
    EXPECT_EQ(get(g.events[1], "b"), "true");
    EXPECT_EQ(get(g.events[1], "n"), "<null>");
    EXPECT_EQ(get(g.events[1], "o.p.q"), "deep");
    EXPECT_EQ(g.lines[0], 1u);
    EXPECT_EQ(g.lines[1], 4u);
    ASSERT_EQ(g.diags.size(), 2u);
    EXPECT_EQ(g.diags[0].code, "jsonl.parse");
    EXPECT_EQ(g.diags[0].loc.line, 2u);
    EXPECT_EQ(g.diags[1].code, "jsonl.not_object");
    EXPECT_EQ(g.diags[1].loc.line, 5u);
    EXPECT_EQ(g.stats.bad_documents, 2u);
}

TEST(JsonReader, EvtxDumpPrettyConcatenated) {
    const char* doc = R"({
  "Event": {
    "#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
    "System": {
      "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon", "Guid": "5770385F"}},
      "EventID": {"#attributes": {"Qualifiers": 16384}, "#text": 7045},
      "TimeCreated": {"#attributes": {"SystemTime": "2025-10-24T23:41:00.601559Z"}},
      "Correlation": null,
      "Channel": "Microsoft-Windows-Sysmon/Operational",
      "Security": {"#attributes": {"UserID": "S-1-5-18"}}
    },
    "EventData": {
      "Image": "C:\\Windows\\system32\\cmd.exe",
      "Empty": null,
      "Data": [{"#attributes": {"Name": "Named"}, "#text": "v1"}, "plain"]
    },
    "UserData": {"LogFileCleared": {"#attributes": {"xmlns": "x"}, "SubjectUserName": "admmig"}},
    "RenderingInfo": {"Message": "hello"}
  }
}
)";
    std::string two = std::string(doc) + doc;
    auto g = read(two);
    ASSERT_EQ(g.events.size(), 2u) << (g.diags.empty() ? "" : g.diags[0].message);
    auto& e = g.events[0];
    EXPECT_EQ(get(e, "Provider_Name"), "Microsoft-Windows-Sysmon");
    EXPECT_EQ(get(e, "Provider_Guid"), "5770385F");
    EXPECT_EQ(get(e, "EventID"), "7045");
    EXPECT_EQ(get(e, "EventID_Qualifiers"), "16384");
    EXPECT_EQ(get(e, "TimeCreated_SystemTime"), "2025-10-24T23:41:00.601559Z");
    EXPECT_EQ(get(e, "Correlation"), "<absent>");
    EXPECT_EQ(get(e, "Security_UserID"), "S-1-5-18");
    EXPECT_EQ(get(e, "Channel"), "Microsoft-Windows-Sysmon/Operational");
    EXPECT_EQ(get(e, "Image"), "C:\\Windows\\system32\\cmd.exe");
    EXPECT_EQ(get(e, "Empty"), "<null>");
    EXPECT_EQ(get(e, "Named"), "v1");
    EXPECT_EQ(get(e, "Data"), "plain");
    EXPECT_EQ(get(e, "SubjectUserName"), "admmig");
    EXPECT_EQ(get(e, "RenderingInfo_Message"), "hello");
    EXPECT_EQ(e.count("xmlns"), 0u);
    EXPECT_EQ(g.lines[0], 1u);
    EXPECT_EQ(g.lines[1], 21u);
    EXPECT_EQ(g.times[0], 1761349260601);
    EXPECT_EQ(g.stats.evtx_dump, 2u);
}

TEST(JsonReader, TopLevelArrayAndEcs) {
    auto g = read(R"([
 {"@timestamp":"2020-01-01T00:00:01Z","winlog":{"channel":"Security","event_id":4624,
   "provider_name":"Microsoft-Windows-Security-Auditing","computer_name":"dc1",
   "event_data":{"LogonType":"3","TargetUserName":"bob"},"process":{"pid":7,"thread":{"id":9}}},
   "process":{"command_line":"x"}},
 {"winlog":{"channel":"System","event_id":"7045"}}
])");
    ASSERT_EQ(g.events.size(), 2u) << (g.diags.empty() ? "" : g.diags[0].message);
    auto& e = g.events[0];
    EXPECT_EQ(get(e, "Channel"), "Security");
    EXPECT_EQ(get(e, "EventID"), "4624");
    EXPECT_EQ(get(e, "Provider_Name"), "Microsoft-Windows-Security-Auditing");
    EXPECT_EQ(get(e, "Computer"), "dc1");
    EXPECT_EQ(get(e, "LogonType"), "3");
    EXPECT_EQ(get(e, "TargetUserName"), "bob");
    EXPECT_EQ(get(e, "Execution_ProcessID"), "7");
    EXPECT_EQ(get(e, "Execution_ThreadID"), "9");
    EXPECT_EQ(get(e, "process.command_line"), "x");
    EXPECT_EQ(g.times[0], 1577836801000);
    EXPECT_EQ(get(g.events[1], "EventID"), "7045");
    EXPECT_EQ(g.stats.ecs, 2u);
    EXPECT_TRUE(g.diags.empty());
}

TEST(JsonReader, ForcedFlatLayoutKeepsPaths) {
    JsonReadOptions o;
    o.layout = JsonLayout::Flat;
    auto g = read(R"({"Event":{"System":{"EventID":4}}})"
                  "\n",
                  o);
    ASSERT_EQ(g.events.size(), 1u);
    EXPECT_EQ(get(g.events[0], "Event.System.EventID"), "4");
    EXPECT_EQ(get(g.events[0], "EventID"), "<absent>");
}

TEST(JsonReader, TruncatedConcatenatedDocument) {
    auto g = read("{\n \"a\": 1\n}\n{\n \"b\": ");
    ASSERT_EQ(g.events.size(), 1u);
    ASSERT_EQ(g.diags.size(), 1u);
    EXPECT_EQ(g.diags[0].code, "jsonl.parse");
    EXPECT_EQ(g.diags[0].loc.line, 4u);
}

TEST(JsonReader, TooLargeLineIsSkipped) {
    JsonReadOptions o;
    o.max_document_bytes = 64;
    std::string big = "{\"a\":\"" + std::string(200, 'x') + "\"}\n{\"b\":1}\n";
    auto g = read(big, o);
    ASSERT_EQ(g.events.size(), 1u);
    EXPECT_EQ(get(g.events[0], "b"), "1");
    ASSERT_EQ(g.diags.size(), 1u);
    EXPECT_EQ(g.diags[0].code, "jsonl.document.too_large");
}

TEST(JsonReader, SinkCanStop) {
    size_t n = 0;
    Diagnostics d;
    auto st = read_json_bytes(
        "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n", "t", [&](const Event&) { return ++n < 2; }, d);
    EXPECT_EQ(n, 2u);
    EXPECT_TRUE(st.stopped);
}

TEST(JsonReader, MissingFileIsDiagnostic) {
    Diagnostics d;
    auto st = read_json_file(
        "/nonexistent/x.jsonl", [](const Event&) { return true; }, d);
    EXPECT_FALSE(st.file_ok);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].code, "jsonl.file.open");
}

TEST(JsonReader, Timestamps) {
    int64_t ms = 0;
    ASSERT_TRUE(parse_timestamp("1970-01-01T00:00:00Z", ms));
    EXPECT_EQ(ms, 0);
    ASSERT_TRUE(parse_timestamp("2020-06-09 22:50:54", ms));
    EXPECT_EQ(ms, 1591743054000);
    ASSERT_TRUE(parse_timestamp("2020-06-10T02:50:56.537Z", ms));
    EXPECT_EQ(ms, 1591757456537);
    ASSERT_TRUE(parse_timestamp("2020-06-10T04:50:56+02:00", ms));
    EXPECT_EQ(ms, 1591757456000);
    EXPECT_FALSE(parse_timestamp("yesterday", ms));
    EXPECT_FALSE(parse_timestamp("2020-13-01", ms));
}

TEST(JsonReader, RegressionDataFilesParse) {
    std::string dir = std::string(SIGIL_SHARED_DIR) + "/corpus/sigma/regression_data/rules";
    if (!std::filesystem::exists(dir)) GTEST_SKIP() << "shared corpus absent";
    size_t files = 0, events = 0;
    for (auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        if (e.path().extension() != ".json") continue;
        Diagnostics d;
        size_t n = 0;
        read_json_file(
            e.path().string(),
            [&](const Event& ev) {
                ++n;
                EXPECT_NE(ev.find("EventID"), nullptr) << e.path();
                EXPECT_NE(ev.find("Channel"), nullptr) << e.path();
                return true;
            },
            d);
        EXPECT_TRUE(d.empty()) << e.path() << ": " << (d.empty() ? "" : d[0].message);
        EXPECT_GE(n, 1u) << e.path();
        ++files;
        events += n;
    }
    EXPECT_GT(files, 100u);
    EXPECT_GE(events, files);
}
