// Execution proof of the SQL and grep targets: the SigmaHQ regression events
// (flattened to Sigma field names) are loaded into SQLite and written as JSON
// lines; every corpus rule's converted query runs over them, and the matched
// set must equal the reference interpreter's on the same events.
#include <gtest/gtest.h>
#include <sqlite3.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <set>

#include "convert_events.h"
#include "sigil/convert.h"
#include "sigil/eval.h"
#include "sigil/sigma.h"

using namespace sigil;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

using convert_test::flatten;
std::vector<json> load_events(const std::string& dir) {
    return convert_test::load_regression_events(dir);
}

void regexp_fn(sqlite3_context* ctx, int, sqlite3_value** argv) {
    // Compiled patterns live as long as the test binary, freed at exit (so
    // LeakSanitizer in `make test-sanitize` sees no leak).
    struct CodeFree {
        void operator()(pcre2_code* c) const { pcre2_code_free(c); }
    };
    static std::map<std::string, std::unique_ptr<pcre2_code, CodeFree>> cache;
    const char* pat = (const char*)sqlite3_value_text(argv[0]);
    const char* val = (const char*)sqlite3_value_text(argv[1]);
    if (!pat || !val) {
        sqlite3_result_null(ctx);
        return;
    }
    auto& slot = cache[pat];
    if (!slot) {
        int err;
        PCRE2_SIZE off;
        slot.reset(
            pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED, PCRE2_UTF, &err, &off, nullptr));
        if (!slot) {
            sqlite3_result_error(ctx, "bad regex", -1);
            return;
        }
    }
    pcre2_code* re = slot.get();
    pcre2_match_data* md = pcre2_match_data_create_from_pattern(re, nullptr);
    int rc = pcre2_match(re, (PCRE2_SPTR)val, PCRE2_ZERO_TERMINATED, 0, 0, md, nullptr);
    pcre2_match_data_free(md);
    sqlite3_result_int(ctx, rc >= 0);
}

class ConvertExec : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string shared = SIGIL_SHARED_DIR;
        std::string reg = shared + "/corpus/sigma/regression_data";
        if (!fs::exists(reg)) GTEST_SKIP() << "no shared regression data";
        events = load_events(reg);
        ASSERT_GT(events.size(), 100u);
        load_sigma_paths({shared + "/corpus/sigma/rules"}, coll);
        ASSERT_GT(coll.rules.size(), 2000u);
        for (size_t i = 0; i < events.size(); ++i)
            for (size_t r = 0; r < coll.rules.size(); ++r)
                if (coll.rules[r].kind == RuleKind::Detection &&
                    rule_matches(coll.rules[r], events[i]))
                    expected[r].insert(i);
    }
    std::vector<json> events;
    SigmaCollection coll;
    std::map<size_t, std::set<size_t>> expected;  // rule index → matching event indexes
};

TEST_F(ConvertExec, SqliteMatchesReferenceInterpreter) {
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open(":memory:", &db), SQLITE_OK);
    sqlite3_create_function(db, "regexp", 2, SQLITE_UTF8, nullptr, regexp_fn, nullptr, nullptr);
    // "x" must never fall back to a string literal when column x is missing
    sqlite3_db_config(db, SQLITE_DBCONFIG_DQS_DML, 0, nullptr);
    std::set<std::string> cols;
    for (auto& r : coll.rules) {  // every field a rule names is a column (NULL when absent)
        std::vector<const Pred*> ps;
        for (auto& c : r.conditions) collect_preds(c, ps);
        for (auto* p : ps) {
            if (!p->field.empty()) cols.insert(p->field);
            if (p->op >= Op::FieldRef) cols.insert(p->value.s);
        }
    }
    for (auto& e : events)
        for (auto it = e.begin(); it != e.end(); ++it) cols.insert(it.key());
    // SQLite column names are case-insensitive: one column per folded name
    std::map<std::string, std::string> folded;
    for (auto& c : cols) {
        std::string l = c;
        for (auto& ch : l) ch = char(std::tolower((unsigned char)ch));
        if (l != "idx") folded.emplace(l, c);
    }
    std::string ddl = "CREATE TABLE eventlog (idx INTEGER";
    for (auto& [l, c] : folded) {
        std::string q;
        for (char ch : c) q += ch == '"' ? std::string("\"\"") : std::string(1, ch);
        ddl += ", \"" + q + "\"";
    }
    ASSERT_EQ(sqlite3_exec(db, (ddl + ")").c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    for (size_t i = 0; i < events.size(); ++i) {
        std::string names = "idx", qs = "?";
        std::vector<const json*> vals;
        for (auto it = events[i].begin(); it != events[i].end(); ++it) {
            names += ", \"" + it.key() + "\"";
            qs += ", ?";
            vals.push_back(&*it);
        }
        sqlite3_stmt* st;
        ASSERT_EQ(sqlite3_prepare_v2(
                      db, ("INSERT INTO eventlog (" + names + ") VALUES (" + qs + ")").c_str(), -1,
                      &st, nullptr),
                  SQLITE_OK);
        sqlite3_bind_int64(st, 1, int64_t(i));
        for (size_t k = 0; k < vals.size(); ++k) {
            const json& v = *vals[k];
            int p = int(k) + 2;
            if (v.is_number_integer())
                sqlite3_bind_int64(st, p, v.get<int64_t>());
            else if (v.is_number())
                sqlite3_bind_double(st, p, v.get<double>());
            else if (v.is_string())
                sqlite3_bind_text(st, p, v.get_ref<const std::string&>().c_str(), -1,
                                  SQLITE_TRANSIENT);
            else if (v.is_boolean())
                sqlite3_bind_text(st, p, v.get<bool>() ? "true" : "false", -1, SQLITE_STATIC);
            else
                sqlite3_bind_null(st, p);
        }
        ASSERT_EQ(sqlite3_step(st), SQLITE_DONE);
        sqlite3_finalize(st);
    }
    ConvertOptions o;
    o.target = "sql";
    Diagnostics d;
    auto conv = Converter::create(o, d);
    ASSERT_TRUE(conv);
    size_t converted = 0, matched = 0;
    std::vector<std::string> mismatches;
    for (size_t r = 0; r < coll.rules.size(); ++r) {
        auto rc = conv->convert(coll.rules[r]);
        if (!rc.ok()) continue;
        ++converted;
        std::string q = rc.queries[0];
        ASSERT_EQ(q.rfind("SELECT * FROM eventlog WHERE ", 0), 0u);
        q = "SELECT idx FROM eventlog WHERE " + q.substr(29);
        sqlite3_stmt* st = nullptr;
        ASSERT_EQ(sqlite3_prepare_v2(db, q.c_str(), -1, &st, nullptr), SQLITE_OK)
            << sqlite3_errmsg(db) << "\n"
            << q;
        std::set<size_t> got;
        int rcode;
        while ((rcode = sqlite3_step(st)) == SQLITE_ROW)
            got.insert(size_t(sqlite3_column_int64(st, 0)));
        EXPECT_EQ(rcode, SQLITE_DONE) << q;
        sqlite3_finalize(st);
        matched += got.size();
        if (got != expected[r]) {
            std::string diff;
            for (auto i : got)
                if (!expected[r].count(i)) diff += " +" + std::to_string(i);
            for (auto i : expected[r])
                if (!got.count(i)) diff += " -" + std::to_string(i);
            mismatches.push_back(coll.rules[r].title + " (events" + diff + "): " + q);
        }
    }
    sqlite3_close(db);
    EXPECT_GT(converted, 2000u);
    EXPECT_GT(matched, 100u);  // the regression events do trigger rules
    EXPECT_TRUE(mismatches.empty())
        << mismatches.size() << " mismatches, first: " << mismatches[0]
        << (mismatches.empty()
                ? ""
                : "\n" +
                      events[std::strtoul(mismatches[0].c_str() + mismatches[0].find("events") + 8,
                                          nullptr, 10)]
                          .dump());
    std::printf("sqlite: %zu rules converted, %zu rule/event matches, %zu mismatches\n", converted,
                matched, mismatches.size());
}

TEST_F(ConvertExec, GrepMatchesReferenceInterpreter) {
    if (std::system("echo x | grep -P x >/dev/null 2>&1") != 0) GTEST_SKIP() << "no grep -P";
    std::string path = ::testing::TempDir() + "/sigil_events.jsonl";
    {
        std::ofstream f(path);
        for (auto& e : events) f << e.dump() << "\n";
    }
    ConvertOptions o;
    o.target = "grep";
    Diagnostics d;
    auto conv = Converter::create(o, d);
    ASSERT_TRUE(conv);
    size_t run = 0, matched = 0;
    std::vector<std::string> mismatches;
    for (size_t r = 0; r < coll.rules.size(); ++r) {
        // every rule that matches something, and a tenth of the others
        if (!expected.count(r) && r % 10) continue;
        auto rc = conv->convert(coll.rules[r]);
        if (!rc.ok()) continue;
        ++run;
        std::string cmd = "LC_ALL=C.UTF-8 " + rc.queries[0].substr(0, 7) + " -n" +
                          rc.queries[0].substr(7) + " " + path;
        FILE* p = popen(cmd.c_str(), "r");
        ASSERT_TRUE(p);
        std::set<size_t> got;
        char buf[1 << 16];
        while (std::fgets(buf, sizeof buf, p)) {
            size_t line = std::strtoul(buf, nullptr, 10);
            if (line) got.insert(line - 1);
            while (!std::strchr(buf, '\n') && std::fgets(buf, sizeof buf, p)) {
            }
        }
        pclose(p);
        matched += got.size();
        if (got != expected[r]) mismatches.push_back(coll.rules[r].title + ": " + rc.queries[0]);
    }
    EXPECT_GT(run, 150u);
    EXPECT_GT(matched, 100u);
    EXPECT_TRUE(mismatches.empty()) << mismatches.size() << " mismatches, first: " << mismatches[0];
    std::printf("grep: %zu rules run, %zu rule/event matches, %zu mismatches\n", run, matched,
                mismatches.size());
}

}  // namespace
