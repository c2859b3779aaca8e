// tests/unit/evtx_corpus_test.cpp — the EVTX reader against libevtx's
// `evtxexport` as an oracle, on the shared corpora (hayabusa-sample-evtx and
// broken-and-edge-evtx): for every record both read, the same record id,
// EventID, TimeCreated, Computer, Channel and EventData name/value pairs; on
// the broken files at least as many records per file. Formats the two print
// differently are normalized (docs/evtx.md lists them). Skips when the corpora
// or evtxexport are missing.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "sigil/evtx.h"

using namespace sigil;
namespace fs = std::filesystem;

namespace {

std::string shell_quote(const std::string& s) {
    std::string q = "'";
    for (char c : s) {
        if (c == '\'')
            q += "'\\''";
        else
            q += c;
    }
    return q + "'";
}

std::string run(const std::string& cmd) {
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    pclose(p);
    return out;
}

void append_utf8(std::string& o, uint32_t cp) {
    if (cp < 0x80) {
        o += static_cast<char>(cp);
    } else if (cp < 0x800) {
        o += static_cast<char>(0xC0 | (cp >> 6));
        o += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        o += static_cast<char>(0xE0 | (cp >> 12));
        o += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        o += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
        o += static_cast<char>(0xF0 | (cp >> 18));
        o += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
        o += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        o += static_cast<char>(0x80 | (cp & 0x3F));
    }
}

std::string unescape(std::string_view s) {
    std::string o;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] != '&') {
            o += s[i];
            continue;
        }
        size_t semi = s.find(';', i);
        if (semi == std::string_view::npos || semi - i > 10) {
            o += s[i];
            continue;
        }
        std::string_view ent = s.substr(i + 1, semi - i - 1);
        if (ent == "amp")
            o += '&';
        else if (ent == "lt")
            o += '<';
        else if (ent == "gt")
            o += '>';
        else if (ent == "quot")
            o += '"';
        else if (ent == "apos")
            o += '\'';
        else if (!ent.empty() && ent[0] == '#') {
            uint32_t cp = ent.size() > 1 && (ent[1] == 'x' || ent[1] == 'X')
                              ? std::strtoul(std::string(ent.substr(2)).c_str(), nullptr, 16)
                              : std::strtoul(std::string(ent.substr(1)).c_str(), nullptr, 10);
            append_utf8(o, cp);
        } else {
            o += s.substr(i, semi - i + 1);
        }
        i = semi;
    }
    return o;
}

// The fields the comparison looks at, from one <Event>...</Event> of either tool.
struct XmlRecord {
    std::string id, event_id, time, computer, channel;
    std::vector<std::pair<std::string, std::string>> data;
};

std::string element_text(std::string_view r, const std::string& name) {
    size_t p = r.find("<" + name);
    while (p != std::string_view::npos) {
        char c = r[p + 1 + name.size()];
        if (c == '>' || c == ' ' || c == '/') break;
        p = r.find("<" + name, p + 1);
    }
    if (p == std::string_view::npos) return {};
    size_t gt = r.find('>', p);
    if (gt == std::string_view::npos || r[gt - 1] == '/') return {};
    size_t end = r.find("</" + name + ">", gt);
    if (end == std::string_view::npos) return {};
    return unescape(r.substr(gt + 1, end - gt - 1));
}

std::string attr_value(std::string_view tag, const std::string& name) {
    size_t p = tag.find(" " + name + "=\"");
    if (p == std::string_view::npos) return {};
    p += name.size() + 3;
    size_t q = tag.find('"', p);
    return unescape(tag.substr(p, q - p));
}

std::vector<XmlRecord> parse_records(const std::string& text) {
    std::vector<XmlRecord> out;
    size_t pos = 0;
    while (true) {
        size_t b = text.find("<Event", pos);
        if (b == std::string::npos) break;
        if (b != 0 && text[b - 1] != '\n') {
            pos = b + 1;
            continue;
        }
        size_t e = text.find("\n</Event>", b);
        if (e == std::string::npos) break;
        std::string_view r(text.data() + b, e - b);
        pos = e + 9;
        XmlRecord x;
        x.id = element_text(r, "EventRecordID");
        x.event_id = element_text(r, "EventID");
        x.computer = element_text(r, "Computer");
        x.channel = element_text(r, "Channel");
        size_t t = r.find("<TimeCreated ");
        if (t != std::string_view::npos)
            x.time = attr_value(r.substr(t, r.find('>', t) - t), "SystemTime");
        size_t ed = r.find("<EventData>");
        size_t ee = r.find("</EventData>");
        if (ed != std::string_view::npos && ee != std::string_view::npos) {
            std::string_view body = r.substr(ed, ee - ed);
            size_t d = 0;
            while ((d = body.find("<Data", d)) != std::string_view::npos) {
                char c = body[d + 5];
                if (c != ' ' && c != '>' && c != '/') {
                    ++d;
                    continue;
                }
                size_t gt = body.find('>', d);
                std::string_view tag = body.substr(d, gt - d);
                std::string name = attr_value(tag, "Name");
                std::string value;
                if (body[gt - 1] != '/') {
                    size_t close = body.find("</Data>", gt);
                    value = unescape(body.substr(gt + 1, close - gt - 1));
                    d = close;
                } else {
                    d = gt;
                }
                x.data.emplace_back(name, value);
            }
        }
        // An empty unnamed <Data/> is printed by one tool and dropped by the other.
        x.data.erase(std::remove_if(x.data.begin(), x.data.end(),
                                    [](auto& p) { return p.first.empty() && p.second.empty(); }),
                     x.data.end());
        out.push_back(std::move(x));
    }
    return out;
}

bool parse_int(const std::string& s, int64_t& v) {
    if (s.empty()) return false;
    char* end = nullptr;
    errno = 0;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        v = static_cast<int64_t>(std::strtoull(s.c_str() + 2, &end, 16));
    else if (s[0] == '-')
        v = std::strtoll(s.c_str(), &end, 10);
    else
        v = static_cast<int64_t>(std::strtoull(s.c_str(), &end, 10));
    return end && *end == 0 && errno == 0;
}

enum class Cmp { Same, Known, Different };

// Compares one value as printed by libevtx (`a`) and by sigil (`b`).
Cmp compare_value(std::string a, std::string b) {
    if (a == b) return Cmp::Same;
    auto blank = [](const std::string& s) {
        return s.find_first_not_of(" \t\r\n") == std::string::npos;
    };
    if (blank(a) && blank(b)) return Cmp::Known;  // libevtx empties newline-only strings
    int64_t x, y;
    if (parse_int(a, x) && parse_int(b, y)) {
        if (x == y) return Cmp::Same;  // hex padding, SizeT as decimal vs hex
        // libevtx prints negative Int32 as '-' + (value & 0x7fffffff).
        if (x < 0 && y < 0 && -x == (static_cast<uint32_t>(y) & 0x7fffffff)) return Cmp::Known;
        return Cmp::Different;
    }
    // FILETIME: 9 fractional digits vs 7.
    if (a.size() >= 20 && b.size() >= 20 && a[4] == '-' && a[10] == 'T' && a.back() == 'Z' &&
        a.substr(0, 20) == b.substr(0, 20)) {
        std::string fa = a.substr(20, a.size() - 21), fb = b.substr(20, b.size() - 21);
        fa.resize(7, '0');
        fb.resize(7, '0');
        return fa == fb ? Cmp::Same : Cmp::Different;
    }
    if (a.size() == b.size() && a.size() == 38 && a[0] == '{') {
        std::transform(a.begin(), a.end(), a.begin(), ::toupper);
        std::transform(b.begin(), b.end(), b.begin(), ::toupper);
        if (a == b) return Cmp::Same;
    }
    char* ea = nullptr;
    char* eb = nullptr;
    double da = std::strtod(a.c_str(), &ea), db = std::strtod(b.c_str(), &eb);
    if (!a.empty() && !b.empty() && *ea == 0 && *eb == 0) {
        double m = std::max(std::abs(da), std::abs(db));
        if (std::abs(da - db) <= 1e-6 * m) return Cmp::Same;
    }
    // Invalid UTF-16: both use U+FFFD but libevtx also swallows the next unit.
    if (a.find("\xEF\xBF\xBD") != std::string::npos || b.find("\xEF\xBF\xBD") != std::string::npos)
        return Cmp::Known;
    return Cmp::Different;
}

struct Totals {
    uint64_t oracle = 0, sigil = 0, compared = 0, fields = 0, known = 0, different = 0, missing = 0,
             event_checks = 0, event_bad = 0;
    std::vector<std::string> examples;
    void note(const std::string& s) {
        if (examples.size() < 30) examples.push_back(s);
    }
};

struct FileResult {
    uint64_t oracle = 0, sigil = 0;
};

FileResult compare_file(const std::string& path, Totals& t) {
    FileResult fr;
    std::vector<XmlRecord> oracle =
        parse_records(run("evtxexport -f xml " + shell_quote(path) + " 2>/dev/null"));
    std::multimap<std::string, XmlRecord> ours;
    Diagnostics diags;
    EvtxStats s = read_evtx_records(
        path,
        [&](const EvtxRecord& rec) {
            std::string xml;
            rec.append_xml(xml);
            std::vector<XmlRecord> one = parse_records(xml);
            if (one.size() != 1) {
                t.note(path + ": record " + std::to_string(rec.record_id) + " renders to " +
                       std::to_string(one.size()) + " events");
                ++t.event_bad;
                return true;
            }
            // The flat Event agrees with the XML rendering.
            const Event& ev = rec.event();
            auto has = [&](const std::string& n, const std::string& v) {
                if (v.empty()) return true;  // absent in the XML (e.g. no <Channel>)
                for (auto& f : ev.fields)
                    if (f.name == n && f.value == v) return true;
                return false;
            };
            ++t.event_checks;
            bool ok = ev.record_id == rec.record_id && has("EventID", one[0].event_id) &&
                      has("Channel", one[0].channel) && has("Computer", one[0].computer) &&
                      has("TimeCreated_SystemTime", one[0].time);
            for (auto& [n, v] : one[0].data)
                if (!n.empty() && !has(n, v)) ok = false;
            if (!ok) {
                ++t.event_bad;
                t.note(path + ": record " + std::to_string(rec.record_id) +
                       ": flat fields disagree with the XML");
            }
            ours.emplace(one[0].id, std::move(one[0]));
            return true;
        },
        diags);
    fr.oracle = oracle.size();
    fr.sigil = s.records_read;
    t.oracle += oracle.size();
    t.sigil += s.records_read;
    for (auto& o : oracle) {
        auto [lo, hi] = ours.equal_range(o.id);
        const XmlRecord* m = nullptr;
        for (auto it = lo; it != hi; ++it) {
            if (it->second.channel == o.channel && it->second.event_id == o.event_id) {
                m = &it->second;
                break;
            }
            if (!m) m = &it->second;
        }
        if (!m) {
            ++t.missing;
            t.note(path + ": record " + o.id + " read by evtxexport only");
            continue;
        }
        ++t.compared;
        auto check = [&](const std::string& what, const std::string& a, const std::string& b) {
            ++t.fields;
            Cmp c = compare_value(a, b);
            if (c == Cmp::Known) ++t.known;
            if (c == Cmp::Different) {
                ++t.different;
                t.note(path + ": record " + o.id + " " + what + ": evtxexport '" + a.substr(0, 80) +
                       "' sigil '" + b.substr(0, 80) + "'");
            }
        };
        check("EventRecordID", o.id, m->id);
        check("EventID", o.event_id, m->event_id);
        check("TimeCreated", o.time, m->time);
        check("Computer", o.computer, m->computer);
        check("Channel", o.channel, m->channel);
        if (o.data.size() != m->data.size()) {
            ++t.different;
            t.note(path + ": record " + o.id + ": " + std::to_string(o.data.size()) + " vs " +
                   std::to_string(m->data.size()) + " EventData entries");
            continue;
        }
        for (size_t i = 0; i < o.data.size(); ++i) {
            check("Data name", o.data[i].first, m->data[i].first);
            check("Data " + o.data[i].first, o.data[i].second, m->data[i].second);
        }
    }
    return fr;
}

struct Corpus {
    std::string dir;
    std::vector<std::string> files;
};

// Unpacks a shared archive into a fresh temporary directory.
bool unpack(const std::string& archive, Corpus& c) {
    char tmpl[] = "/tmp/sigil-evtx-corpus-XXXXXX";
    if (!mkdtemp(tmpl)) return false;
    c.dir = tmpl;
    std::string cmd = "tar --zstd -xf " + shell_quote(archive) + " -C " + shell_quote(c.dir);
    if (std::system(cmd.c_str()) != 0) return false;
    for (auto& e : fs::recursive_directory_iterator(c.dir))
        if (e.is_regular_file() && e.path().extension() == ".evtx") c.files.push_back(e.path());
    std::sort(c.files.begin(), c.files.end());
    return true;
}

void cleanup(const Corpus& c) {
    if (!c.dir.empty()) fs::remove_all(c.dir);
}

bool have_oracle() {
    return std::system("command -v evtxexport >/dev/null 2>&1") == 0;
}

}  // namespace

TEST(EvtxCorpus, HayabusaSamplesMatchEvtxexport) {
    std::string archive = std::string(SIGIL_SHARED_DIR) + "/logs/hayabusa-sample-evtx.tar.zst";
    if (!fs::exists(archive)) GTEST_SKIP() << "no " << archive;
    if (!have_oracle()) GTEST_SKIP() << "evtxexport (libevtx-utils) not installed";
    Corpus c;
    ASSERT_TRUE(unpack(archive, c));
    ASSERT_GT(c.files.size(), 500u);
    Totals t;
    uint64_t fewer = 0;
    for (auto& f : c.files) {
        FileResult r = compare_file(f, t);
        if (r.sigil < r.oracle) ++fewer;
    }
    cleanup(c);
    std::cout << "hayabusa-sample-evtx: " << c.files.size() << " files; sigil read " << t.sigil
              << " records, evtxexport " << t.oracle << "; compared " << t.compared << " records / "
              << t.fields << " values: " << t.different << " different, " << t.known
              << " known format differences; flat-field checks " << t.event_checks << " ("
              << t.event_bad << " bad)\n";
    for (auto& e : t.examples) std::cout << "  " << e << "\n";
    EXPECT_EQ(t.sigil, 24661u);  // every record of the corpus
    EXPECT_EQ(fewer, 0u);
    EXPECT_EQ(t.missing, 0u);
    EXPECT_EQ(t.compared, t.oracle);
    EXPECT_EQ(t.different, 0u);
    EXPECT_EQ(t.event_bad, 0u);
    EXPECT_GT(t.fields, 100000u);
}

TEST(EvtxCorpus, BrokenAndEdgeFilesRecoverAtLeastAsMuch) {
    std::string archive = std::string(SIGIL_SHARED_DIR) + "/logs/broken-and-edge-evtx.tar.zst";
    if (!fs::exists(archive)) GTEST_SKIP() << "no " << archive;
    if (!have_oracle()) GTEST_SKIP() << "evtxexport (libevtx-utils) not installed";
    Corpus c;
    ASSERT_TRUE(unpack(archive, c));
    ASSERT_GT(c.files.size(), 20u);
    Totals t;
    std::cout << "broken-and-edge-evtx (records: sigil / evtxexport):\n";
    uint64_t fewer = 0, slack_total = 0, all_total = 0;
    for (auto& f : c.files) {
        FileResult r = compare_file(f, t);
        // With stale-record recovery, against evtxexport's "all" mode (items + recovered).
        std::string all = run("evtxexport -m all -f xml " + shell_quote(f) + " 2>/dev/null");
        uint64_t oracle_all = parse_records(all).size();
        Diagnostics d;
        EvtxOptions o;
        o.recover_slack = true;
        EvtxStats slack = read_evtx_records(
            f, [](const EvtxRecord&) { return true; }, d, o);
        std::cout << "  " << fs::path(f).filename().string() << ": " << r.sigil << " / " << r.oracle
                  << "; with slack " << slack.records_read << " / -m all " << oracle_all << "\n";
        EXPECT_GE(slack.records_read, oracle_all) << f;
        slack_total += slack.records_read;
        all_total += oracle_all;
        if (r.sigil < r.oracle) {
            ++fewer;
            ADD_FAILURE() << f << ": sigil read " << r.sigil << " records, evtxexport " << r.oracle;
        }
    }
    cleanup(c);
    std::cout << "total: sigil " << t.sigil << ", evtxexport " << t.oracle << "; compared "
              << t.compared << " records / " << t.fields << " values: " << t.different
              << " different, " << t.known << " known format differences; with stale records: "
              << "sigil " << slack_total << ", evtxexport -m all " << all_total << "\n";
    for (auto& e : t.examples) std::cout << "  " << e << "\n";
    EXPECT_EQ(fewer, 0u);
    EXPECT_GT(t.sigil, t.oracle);
    EXPECT_EQ(t.missing, 0u);
    EXPECT_EQ(t.different, 0u);
    EXPECT_EQ(t.event_bad, 0u);
}
