// tests/unit/evtx_reader_test.cpp — the EVTX reader on crafted byte buffers:
// evtx_test_writer.h builds files (header, chunks, templates, records) and the
// tests damage them (truncation, bad CRCs, lying sizes, zeroed chunks, bad
// template offsets, deep nesting, random corruption) and check what is read.
#include <gtest/gtest.h>

#include <cstring>
#include <functional>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "events/evtx/text.h"
#include "events/evtx/tree.h"
#include "evtx_test_writer.h"
#include "sigil/evtx.h"

using namespace sigil;
using namespace sigil::evtx_detail;

using namespace sigil::evtx_test;

namespace {

struct Read {
    EvtxStats stats;
    Diagnostics diags;
    std::vector<std::map<std::string, std::vector<std::string>>> events;
    std::vector<uint64_t> ids;
    std::vector<int64_t> times;
    std::vector<std::string> xml, json;
    bool has(const std::string& code) const {
        for (auto& d : diags)
            if (d.code == code) return true;
        return false;
    }
};

Read read(const std::string& bytes, EvtxOptions opts = {}) {
    Read r;
    r.stats = read_evtx_bytes(
        bytes, "test.evtx",
        [&](const EvtxRecord& rec) {
            std::map<std::string, std::vector<std::string>> m;
            for (auto& f : rec.event().fields)
                m[std::string(f.name)].push_back(f.is_null ? "<null>" : std::string(f.value));
            r.events.push_back(m);
            r.ids.push_back(rec.record_id);
            r.times.push_back(rec.event().time_unix_ms);
            std::string x, j;
            rec.append_xml(x);
            rec.append_json(j);
            r.xml.push_back(x);
            r.json.push_back(j);
            return true;
        },
        r.diags, opts);
    return r;
}

}  // namespace

// ---------------------------------------------------------------- tests

TEST(EvtxText, Crc32KnownVector) {
    const char* s = "123456789";
    EXPECT_EQ(crc32(reinterpret_cast<const uint8_t*>(s), 9), 0xCBF43926u);
    // Running value equals one pass.
    EXPECT_EQ(crc32(reinterpret_cast<const uint8_t*>(s) + 4, 5,
                    crc32(reinterpret_cast<const uint8_t*>(s), 4)),
              0xCBF43926u);
}

TEST(EvtxText, Crc32FastPathEqualsTable) {
    std::mt19937 rng(7);
    std::vector<uint8_t> buf(70016);
    for (auto& b : buf) b = static_cast<uint8_t>(rng());
    for (size_t n : {0, 1, 15, 63, 64, 65, 79, 127, 128, 129, 511, 4096, 65024, 69999}) {
        for (size_t off : {0, 1, 3}) {
            uint32_t seed = static_cast<uint32_t>(rng());
            ASSERT_EQ(crc32(buf.data() + off, n, seed), crc32_portable(buf.data() + off, n, seed))
                << n << " " << off;
        }
    }
}

TEST(EvtxText, Utf16InvalidSurrogatesBecomeReplacement) {
    Arena a;
    std::vector<uint8_t> b = u16s(u"A");
    b.push_back(0x00), b.push_back(0xD8);  // lone high surrogate
    auto more = u16s(u"B");
    b.insert(b.end(), more.begin(), more.end());
    b.push_back(0x00), b.push_back(0xDC);  // lone low surrogate
    b.push_back(0x3D), b.push_back(0xD8), b.push_back(0x00), b.push_back(0xDE);  // U+1F600
    auto s = utf16_to_utf8(b.data(), b.size() / 2, a);
    EXPECT_EQ(std::string(s),
              "A\xEF\xBF\xBD"
              "B\xEF\xBF\xBD\xF0\x9F\x98\x80");
    // Odd trailing high surrogate at the very end.
    std::vector<uint8_t> c = {0x41, 0x00, 0x00, 0xD8};
    EXPECT_EQ(std::string(utf16_to_utf8(c.data(), 2, a)), "A\xEF\xBF\xBD");
    // Long ASCII runs take the fast path.
    auto d = u16s(u"C:\\Windows\\System32\\cmd.exe");
    EXPECT_EQ(std::string(utf16_to_utf8(d.data(), d.size() / 2, a)),
              "C:\\Windows\\System32\\cmd.exe");
    std::vector<uint8_t> e = {0x80, 0x41, 0xE9};
    EXPECT_EQ(std::string(cp1252_to_utf8(e.data(), 3, a)),
              "\xE2\x82\xAC"
              "A\xC3\xA9");
}

TEST(EvtxValues, EveryScalarType) {
    Arena a;
    auto text = [&](uint8_t t, std::vector<uint8_t> b) {
        Node* n = make_value_node(t, b.data(), b.size(), a);
        return n->is_null ? std::string("<null>") : std::string(n->text);
    };
    EXPECT_EQ(text(0x00, {}), "<null>");
    EXPECT_EQ(text(0x01, u16s(u"héllo", true)), "h\xC3\xA9llo");
    EXPECT_EQ(text(0x02, {'a', 'b', 0}), "ab");
    EXPECT_EQ(text(0x03, {0xFF}), "-1");
    EXPECT_EQ(text(0x04, {0xFF}), "255");
    EXPECT_EQ(text(0x05, le(0xFFFE, 2)), "-2");
    EXPECT_EQ(text(0x06, le(65535, 2)), "65535");
    EXPECT_EQ(text(0x07, le(0xFFFFFFFF, 4)), "-1");
    EXPECT_EQ(text(0x08, le(4294967295u, 4)), "4294967295");
    EXPECT_EQ(text(0x09, le(~0ull, 8)), "-1");
    EXPECT_EQ(text(0x0a, le(~0ull, 8)), "18446744073709551615");
    float f = 1.5f;
    std::vector<uint8_t> fb(4);
    std::memcpy(fb.data(), &f, 4);
    EXPECT_EQ(text(0x0b, fb), "1.5");
    double d = -0.25;
    std::vector<uint8_t> db(8);
    std::memcpy(db.data(), &d, 8);
    EXPECT_EQ(text(0x0c, db), "-0.25");
    EXPECT_EQ(text(0x0d, le(1, 4)), "true");
    EXPECT_EQ(text(0x0d, le(0, 4)), "false");
    EXPECT_EQ(text(0x0d, le(2, 4)), "true");  // irregular booleans are non-zero
    EXPECT_EQ(text(0x0e, {0x0A, 0xFF, 0x00}), "0AFF00");
    EXPECT_EQ(text(0x0f, {0x25, 0x96, 0x84, 0x54, 0x78, 0x54, 0x94, 0x49, 0xA5, 0xBA, 0x3E, 0x3B,
                          0x03, 0x28, 0xC3, 0x0D}),
              "{54849625-5478-4994-A5BA-3E3B0328C30D}");
    EXPECT_EQ(text(0x10, le(0x1f4, 8)), "0x1f4");
    EXPECT_EQ(text(0x10, le(0x1f4, 4)), "0x1f4");
    EXPECT_EQ(text(0x11, le(kFt, 8)), "2021-10-20T13:39:12.7319042Z");
    EXPECT_EQ(text(0x11, le(0, 8)), "1601-01-01T00:00:00.0000000Z");
    std::vector<uint8_t> st;
    for (uint16_t v : {2021, 10, 3, 20, 13, 39, 12, 731}) {
        auto x = le(v, 2);
        st.insert(st.end(), x.begin(), x.end());
    }
    EXPECT_EQ(text(0x12, st), "2021-10-20T13:39:12.731Z");
    EXPECT_EQ(text(0x13, {1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 0x02, 0, 0}), "S-1-5-32-544");
    EXPECT_EQ(text(0x13, {1, 9, 0, 0}), "01090000");  // malformed SID: bytes kept
    EXPECT_EQ(text(0x14, le(0xc000006d, 4)), "0xc000006d");
    EXPECT_EQ(text(0x15, le(0x8020000000000000ull, 8)), "0x8020000000000000");
    EXPECT_EQ(text(0x20, le(7, 8)), "7");
    EXPECT_EQ(text(0x23, u16s(u"<x/>")), "<x/>");
    EXPECT_EQ(text(0x08, {1, 2}), "0102");  // size lie on a fixed-size type
    EXPECT_EQ(text(0x08, {}), "<null>");
}

TEST(EvtxValues, Arrays) {
    Arena a;
    auto items = [&](uint8_t t, std::vector<uint8_t> b) {
        Node* n = make_array_node(t, b.data(), b.size(), a);
        std::vector<std::string> v;
        for (Node* c = n->first; c; c = c->next) v.push_back(std::string(c->text));
        return v;
    };
    EXPECT_EQ(items(0x81, u16s(std::u16string(u"ab\0c\0", 5))),
              (std::vector<std::string>{"ab", "c"}));
    EXPECT_EQ(items(0x82, {'x', 0, 'y', 'z', 0}), (std::vector<std::string>{"x", "yz"}));
    EXPECT_EQ(items(0x86, {1, 0, 2, 0}), (std::vector<std::string>{"1", "2"}));
    EXPECT_EQ(items(0x94, {0x10, 0, 0, 0}), (std::vector<std::string>{"0x10"}));
    EXPECT_EQ(
        items(0x93, {1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 5, 19, 0, 0, 0}),
        (std::vector<std::string>{"S-1-5-18", "S-1-5-19"}));
    EXPECT_EQ(items(0x8d, {1, 0, 0, 0, 0, 0, 0, 0}), (std::vector<std::string>{"true", "false"}));
    EXPECT_EQ(items(0x88, {1, 0, 0, 0, 9}), (std::vector<std::string>{"1", "09"}));  // ragged tail
}

TEST(EvtxReader, ReadsCraftedFile) {
    Read r = read(file_of({good_chunk(3)}));
    ASSERT_EQ(r.stats.records_read, 3u);
    EXPECT_EQ(r.stats.records_failed, 0u);
    EXPECT_EQ(r.stats.templates, 1u);  // compiled once, reused by records 2 and 3
    EXPECT_TRUE(r.diags.empty()) << r.diags[0].code << " " << r.diags[0].message;
    auto& e = r.events[1];
    EXPECT_EQ(e.at("EventID"), std::vector<std::string>{"4688"});
    EXPECT_EQ(e.at("Provider_Name"),
              std::vector<std::string>{"Microsoft-Windows-Security-Auditing"});
    EXPECT_EQ(e.at("Channel"), std::vector<std::string>{"Security"});
    EXPECT_EQ(e.at("Computer"), std::vector<std::string>{"HOST-PC1"});  // literal + value
    EXPECT_EQ(e.at("EventRecordID"), std::vector<std::string>{"2"});
    EXPECT_EQ(e.at("TimeCreated_SystemTime"),
              std::vector<std::string>{"2021-10-20T13:39:12.7319044Z"});
    EXPECT_EQ(e.at("CommandLine"), std::vector<std::string>{"cmd.exe /c whoami 1"});
    EXPECT_EQ(e.at("LogonId"), std::vector<std::string>{"0x3e7"});
    EXPECT_EQ(e.at("Data"), (std::vector<std::string>{"a", "bb"}));  // unnamed array Data
    EXPECT_EQ(e.count("Correlation_ActivityID"), 0u);                // optional, absent
    EXPECT_EQ(r.ids, (std::vector<uint64_t>{1, 2, 3}));
    EXPECT_EQ(r.times[0], 1634737152731);
    EXPECT_NE(r.xml[0].find("<Data Name=\"CommandLine\">cmd.exe /c whoami 0</Data>"),
              std::string::npos)
        << r.xml[0];
    EXPECT_NE(r.xml[0].find("<Correlation/>"), std::string::npos);
    EXPECT_NE(r.xml[0].find("<Data>a</Data>\n"), std::string::npos);  // array repeats the element
    EXPECT_EQ(r.json[0].rfind("{\"Event\":{\"#attributes\":{\"xmlns\":", 0), 0u) << r.json[0];
    EXPECT_NE(r.json[0].find("\"EventID\":4688"), std::string::npos);
    EXPECT_NE(r.json[0].find("\"CommandLine\":\"cmd.exe /c whoami 0\""), std::string::npos);
    EXPECT_NE(r.json[0].find("\"Data\":[\"a\",\"bb\"]"), std::string::npos) << r.json[0];
}

TEST(EvtxReader, BadChunkHeaderCrcStillReadsRecords) {
    ChunkWriter c = good_chunk(2);
    c.c[200] ^= 0x55;  // inside the header's string table: covered by the header CRC
    Read r = read(file_of({c}));
    EXPECT_EQ(r.stats.records_read, 2u);
    EXPECT_EQ(r.stats.chunks_bad, 1u);
    EXPECT_TRUE(r.has("evtx.chunk.bad_crc"));
    // With verification off nothing is reported.
    EvtxOptions o;
    o.verify_checksums = false;
    Read q = read(file_of({c}), o);
    EXPECT_EQ(q.stats.records_read, 2u);
    EXPECT_FALSE(q.has("evtx.chunk.bad_crc"));
}

TEST(EvtxReader, BadRecordsCrcReported) {
    ChunkWriter c = good_chunk(2);
    uint32_t rec2 = c.record_offsets[1];
    c.c[rec2 + 16] ^= 1;  // the written time of record 2
    Read r = read(file_of({c}));
    EXPECT_EQ(r.stats.records_read, 2u);
    EXPECT_TRUE(r.has("evtx.chunk.bad_records_crc"));
}

TEST(EvtxReader, TruncatedFileKeepsCompleteRecords) {
    ChunkWriter c = good_chunk(3);
    std::string f = file_of({c});
    uint32_t cut = 4096 + c.record_offsets[2] + 20;  // inside record 3's header
    Read r = read(f.substr(0, cut));
    EXPECT_EQ(r.stats.records_read, 2u);
    EXPECT_TRUE(r.has("evtx.chunk.truncated"));
    // Cut inside the file header: nothing to read, no crash.
    Read h = read(f.substr(0, 100));
    EXPECT_EQ(h.stats.records_read, 0u);
    EXPECT_FALSE(h.stats.file_ok);
    EXPECT_TRUE(h.has("evtx.file.truncated"));
    // Every cut point: never more records than complete ones, never a crash.
    for (size_t n = 4096; n < 4096 + c.pos + 8; n += 37) {
        Read x = read(f.substr(0, n));
        EXPECT_LE(x.stats.records_read, 3u);
    }
}

TEST(EvtxReader, RecordSizeLies) {
    // Impossible size: the record is reported, the next one is found by scanning.
    ChunkWriter c = good_chunk(3);
    c.put32(c.record_offsets[0] + 4, 0x20000);
    c.finish();
    Read r = read(file_of({c}));
    EXPECT_TRUE(r.has("evtx.record.bad_size"));
    // Records 2 and 3 reference the template defined inside record 1; it is intact.
    EXPECT_EQ(r.ids, (std::vector<uint64_t>{2, 3}));
    EXPECT_EQ(r.stats.records_recovered, 2u);

    // Size shorter than the record: the size copy disagrees, the BinXML is cut.
    ChunkWriter d = good_chunk(3);
    d.put32(d.record_offsets[1] + 4, 64);
    d.finish();
    Read s = read(file_of({d}));
    EXPECT_TRUE(s.has("evtx.record.size_mismatch"));
    EXPECT_EQ(s.stats.records_failed, 1u);
    EXPECT_EQ(s.ids, (std::vector<uint64_t>{1, 3}));

    // Size zero.
    ChunkWriter z = good_chunk(2);
    z.put32(z.record_offsets[0] + 4, 0);
    z.finish();
    Read t = read(file_of({z}));
    EXPECT_TRUE(t.has("evtx.record.bad_size"));
    EXPECT_EQ(t.ids, (std::vector<uint64_t>{2}));
}

TEST(EvtxReader, ZeroedChunkAndWrongChunkCount) {
    ChunkWriter a = good_chunk(2, 1);
    ChunkWriter zero;  // all zero
    ChunkWriter b = good_chunk(2, 3);
    Read r = read(file_of({a, zero, b}));
    EXPECT_EQ(r.ids, (std::vector<uint64_t>{1, 2, 3, 4}));
    EXPECT_TRUE(r.has("evtx.chunk.zeroed"));
    EXPECT_EQ(r.stats.chunks_empty, 1u);

    // Header says one chunk, the file holds two: both are read.
    Read s = read(file_of({a, b}, 1));
    EXPECT_EQ(s.ids, (std::vector<uint64_t>{1, 2, 3, 4}));
    EXPECT_TRUE(s.has("evtx.file.chunk_count_mismatch"));
    // Header says five: reported as truncated, the two present are read.
    Read t = read(file_of({a, b}, 5));
    EXPECT_EQ(t.stats.records_read, 4u);
    EXPECT_TRUE(t.has("evtx.file.truncated"));
    // Trailing zero chunks beyond the header count are unused space, not a problem.
    Read u = read(file_of({a, zero}, 1));
    EXPECT_FALSE(u.has("evtx.chunk.zeroed"));
}

TEST(EvtxReader, ZeroedChunkHeaderStillYieldsRecords) {
    ChunkWriter c = good_chunk(2);
    std::memset(c.c.data(), 0, 512);
    Read r = read(file_of({c}));
    EXPECT_EQ(r.ids, (std::vector<uint64_t>{1, 2}));
    EXPECT_TRUE(r.has("evtx.chunk.bad_magic"));
}

TEST(EvtxReader, DirtyFileRecordsPastFreeSpace) {
    ChunkWriter c = good_chunk(3);
    c.put32(48, c.record_offsets[2]);  // header not updated after record 3
    c.put32(52, crc32(&c.c[512], c.record_offsets[2] - 512));
    uint32_t h = crc32(&c.c[0], 120);
    c.put32(124, crc32(&c.c[128], 384, h));
    Read r = read(file_of({c}, -1, 1));
    EXPECT_EQ(r.ids, (std::vector<uint64_t>{1, 2, 3}));
    EXPECT_EQ(r.stats.records_recovered, 1u);
    EXPECT_TRUE(r.has("evtx.file.dirty"));
    EvtxOptions o;
    o.recover_past_free_space = false;
    EXPECT_EQ(read(file_of({c}, -1, 1), o).stats.records_read, 2u);
}

TEST(EvtxReader, SlackRecordsOnlyWhenAsked) {
    // Records 2 and 3 lie past the free-space offset and do not continue the id
    // sequence: stale leftovers of an earlier use of the chunk.
    ChunkWriter c = good_chunk(3);
    c.put64(c.record_offsets[1] + 8, 100);
    c.put64(c.record_offsets[2] + 8, 101);
    c.put32(48, c.record_offsets[1]);
    c.put32(52, crc32(&c.c[512], c.record_offsets[1] - 512));
    uint32_t h = crc32(&c.c[0], 120);
    c.put32(124, crc32(&c.c[128], 384, h));
    Read r = read(file_of({c}));
    EXPECT_EQ(r.ids, (std::vector<uint64_t>{1}));
    EXPECT_TRUE(r.diags.empty());
    EvtxOptions o;
    o.recover_slack = true;
    Read s = read(file_of({c}), o);
    EXPECT_EQ(s.ids, (std::vector<uint64_t>{1, 100, 101}));
    EXPECT_EQ(s.stats.records_slack, 2u);
    EXPECT_TRUE(s.has("evtx.file.slack_records"));
}

TEST(EvtxReader, TemplateOffsetOutOfRange) {
    ChunkWriter w;
    uint32_t def = 0;
    w.record(1, kFt, [&] {
        w.frag();
        def = w.instance(
            0, [&] { event_template(w); }, event_values(1, u"x"));
        w.eof();
    });
    w.record(2, kFt, [&] {
        w.frag();
        w.instance(
            0xFFF0, [] {}, event_values(2, u"y"));
        w.eof();
    });
    w.record(3, kFt, [&] {
        w.frag();
        w.instance(
            600, [] {}, event_values(3, u"z"));  // inside record 1, not a template
        w.eof();
    });
    w.record(4, kFt, [&] {
        w.frag();
        w.instance(
            def, [] {}, event_values(4, u"w"));
        w.eof();
    });
    w.finish();
    Read r = read(file_of({w}));
    EXPECT_EQ(r.ids, (std::vector<uint64_t>{1, 4}));
    EXPECT_EQ(r.stats.records_failed, 2u);
    EXPECT_TRUE(r.has("evtx.template.bad_offset"));
}

TEST(EvtxReader, NestingLimits) {
    Read deep;
    EvtxOptions o;
    o.max_element_depth = 3;  // Event/System/Provider needs 4 levels with the document
    deep = read(file_of({good_chunk(1)}), o);
    EXPECT_EQ(deep.stats.records_failed, 1u);
    EXPECT_TRUE(deep.has("evtx.binxml.too_deep"));

    // Embedded BinXML (type 0x21) nested deeper than allowed.
    ChunkWriter w;
    w.record(1, kFt, [&] {
        w.frag();
        // Template: <Event><EventData>%0</EventData></Event>, value 0 is BinXML holding
        // a fragment with another instance of the same template, 40 levels deep.
        uint32_t def = w.pos + 1 + 1 + 4 + 4;
        w.u8(0x0c), w.u8(1), w.u32(0), w.u32(def);
        w.u32(0);
        for (int i = 0; i < 16; ++i) w.u8(0);
        uint32_t size_at = w.pos;
        w.u32(0);
        uint32_t start = w.pos;
        w.frag();
        w.open(u"Event", false);
        w.close_start();
        w.open(u"EventData", false);
        w.close_start();
        w.subst(0, 0x21);
        w.end();
        w.end();
        w.eof();
        w.put32(size_at, w.pos - start);
        // Values: nested instances, innermost first is easiest to write outermost-first
        // by reserving sizes: each level = frag(4) + instance header(10) + count(4) + desc(4) +
        // inner + eof(1).
        std::function<void(int)> level = [&](int n) {
            w.u32(1);
            uint32_t desc = w.pos;
            w.u16(0), w.u8(n == 0 ? 0x01 : 0x21), w.u8(0);
            uint32_t vstart = w.pos;
            if (n == 0) {
                w.utf16(u"leaf");
            } else {
                w.frag();
                w.u8(0x0c), w.u8(1), w.u32(0), w.u32(def);
                level(n - 1);
                w.eof();
            }
            uint16_t vsize = static_cast<uint16_t>(w.pos - vstart);
            std::memcpy(&w.c[desc], &vsize, 2);
        };
        level(40);
        w.eof();
    });
    w.finish();
    Read r = read(file_of({w}));
    EXPECT_EQ(r.stats.records_failed, 1u);
    EXPECT_TRUE(r.has("evtx.binxml.too_deep"));
    EvtxOptions big;
    big.max_binxml_nesting = 128;  // each level is a BinXML value plus an instance
    big.max_element_depth = 1000;
    Read ok = read(file_of({w}), big);
    ASSERT_EQ(ok.stats.records_read, 1u) << (ok.diags.empty() ? "" : ok.diags[0].message);
    EXPECT_NE(ok.xml[0].find("<EventData>leaf</EventData>"), std::string::npos);
    size_t events = 0;
    for (size_t p = 0; (p = ok.xml[0].find("<Event>", p)) != std::string::npos; ++p) ++events;
    EXPECT_EQ(events, 41u);
}

TEST(EvtxReader, NotEvtx) {
    Read r = read(std::string(10000, 'x'));
    EXPECT_FALSE(r.stats.file_ok);
    EXPECT_TRUE(r.has("evtx.file.bad_magic"));
    Read e = read("");
    EXPECT_FALSE(e.stats.file_ok);
    Diagnostics d;
    EvtxStats s = read_evtx_records(
        "/nonexistent/file.evtx", [](const EvtxRecord&) { return true; }, d);
    EXPECT_FALSE(s.file_ok);
    ASSERT_EQ(d.size(), 1u);
    EXPECT_EQ(d[0].code, "evtx.file.open");
}

TEST(EvtxReader, SinkCanStop) {
    int n = 0;
    Diagnostics d;
    EvtxStats s = read_evtx_bytes(
        file_of({good_chunk(5)}), "t", [&](const EvtxRecord&) { return ++n < 2; }, d);
    EXPECT_EQ(n, 2);
    EXPECT_TRUE(s.stopped);
}

TEST(EvtxReader, RandomCorruptionNeverCrashes) {
    std::string good = file_of({good_chunk(6), good_chunk(4, 7)});
    std::mt19937 rng(1234);
    uint64_t total = 0;
    for (int iter = 0; iter < 400; ++iter) {
        std::string f = good;
        int flips = 1 + static_cast<int>(rng() % 16);
        for (int k = 0; k < flips; ++k) {
            // Mostly inside the used parts of the chunks, sometimes anywhere.
            size_t at = (rng() % 4) ? 4096 + (rng() % 2) * 65536 + rng() % 3000 : rng() % f.size();
            f[at] = static_cast<char>(rng());
        }
        if (rng() % 8 == 0) f.resize(rng() % f.size());
        Read r = read(f);
        EXPECT_LE(r.stats.records_read, 10u + 10u);
        total += r.stats.records_read;
    }
    EXPECT_GT(total, 0u);
}
