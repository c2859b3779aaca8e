// tests/unit/convert_pg_test.cpp — execution proof of the `postgres` SQL
// dialect on a real PostgreSQL server: the test starts one (initdb + pg_ctl on
// a temporary directory, unix socket only), loads the SigmaHQ regression
// events and the conformance fixtures' events into a table, runs every rule
// the target accepts and compares the matching events with the reference
// interpreter; every corpus rule's query is also checked with PREPARE.
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utf8proc.h>

#include <cstdio>
#include <cstdlib>

#include "convert_events.h"
#include "sigil/convert.h"

using namespace sigil;
using namespace sigil::convert_test;

namespace {

/* How the server is run. initdb refuses to run as root and tests run as root
 * in CI, so as root every server command runs through `runuser -u postgres`
 * (the Debian postgresql package's account; scripts/install-deps.sh makes sure
 * it exists) with the data directory owned by that account. The server
 * listens on no TCP address, only on a unix socket in the temporary
 * directory, so it cannot collide with another server or test. psql talks to
 * it with one script that holds the table, the rows and every query; the
 * queries print "rule,idx" lines, errors go to stderr as "psql:FILE:LINE:
 * ERROR" and are mapped back to rules by line. */
std::string pg_bindir() {
    if (const char* e = std::getenv("SIGIL_PG_BINDIR")) return e;
    if (fs::exists("/usr/lib/postgresql/15/bin/initdb")) return "/usr/lib/postgresql/15/bin";
    if (fs::exists("/usr/lib/postgresql"))
        for (auto& d : fs::directory_iterator("/usr/lib/postgresql"))
            if (fs::exists(d.path() / "bin/initdb")) return (d.path() / "bin").string();
    return "";
}

std::string sh_quote(const std::string& s) {
    std::string o = "'";
    for (char c : s) o += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return o + "'";
}

std::string sql_quote(const std::string& s) {
    std::string o = "'";
    for (char c : s) {
        if (c == '\'') o += '\'';
        o += c;
    }
    return o + "'";
}

std::string ident(const std::string& s) {
    std::string o = "\"";
    for (char c : s) {
        if (c == '"') o += '"';
        o += c;
    }
    return o + "\"";
}

std::string slurp(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// True when the text holds a character whose simple case folding is not its
// lower case (CaseFolding.txt: micro sign, long s, final sigma, Greek symbol
// variants, old Cyrillic forms), upper-case forms included.
bool special_fold(const std::string& s) {
    for (size_t i = 0; i < s.size();) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t*)s.data() + i,
                                              utf8proc_ssize_t(s.size() - i), &cp);
        if (n <= 0) {
            ++i;
            continue;
        }
        i += size_t(n);
        if (cp < 0x80) continue;
        switch (utf8proc_tolower(cp)) {
            case 0x00B5:
            case 0x017F:
            case 0x0345:
            case 0x03C2:
            case 0x03D0:
            case 0x03D1:
            case 0x03D5:
            case 0x03D6:
            case 0x03F0:
            case 0x03F1:
            case 0x03F5:
            case 0x1E9B:
            case 0x1FBE:
                return true;
            default:
                if (cp >= 0x1C80 && cp <= 0x1C88) return true;
        }
    }
    return false;
}

// A PostgreSQL server on a temporary directory, stopped and removed on scope exit.
struct PgServer {
    std::string bindir, dir, as_user;  // as_user: "runuser -u postgres -- " or empty
    bool running = false;
    std::string error;

    bool start() {
        std::string tmpl = fs::temp_directory_path().string() + "/sigil_pg_XXXXXX";
        if (!mkdtemp(tmpl.data())) return fail("mkdtemp failed");
        dir = tmpl;
        if (geteuid() == 0) {
            struct passwd* pw = getpwnam("postgres");
            if (!pw) pw = getpwnam("nobody");
            if (!pw) return fail("running as root and no postgres/nobody account");
            if (chown(dir.c_str(), pw->pw_uid, pw->pw_gid) != 0) return fail("chown failed");
            as_user = std::string("runuser -u ") + pw->pw_name + " -- ";
        }
        std::string log = dir + "/initdb.log";
        std::string cmd =
            as_user + sh_quote(bindir + "/initdb") + " -D " + sh_quote(dir + "/data") +
            " -U postgres -A trust -E UTF8 --locale=C.UTF-8 >" + sh_quote(log) + " 2>&1";
        if (std::system(cmd.c_str()) != 0) return fail("initdb failed: " + slurp(log));
        log = dir + "/server.log";
        cmd = as_user + sh_quote(bindir + "/pg_ctl") + " -D " + sh_quote(dir + "/data") + " -l " +
              sh_quote(log) + " -w -t 60 -o " +
              sh_quote("-c listen_addresses='' -k " + dir + " -p 5432 -F") +
              " start >/dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0) return fail("pg_ctl start failed: " + slurp(log));
        running = true;
        return true;
    }
    bool fail(const std::string& e) {
        error = e;
        return false;
    }
    // Runs a psql script; stdout and stderr to files.
    int psql(const std::string& script, const std::string& out, const std::string& err) const {
        std::string cmd = sh_quote(bindir + "/psql") + " -X -q -A -t -F, -h " + sh_quote(dir) +
                          " -p 5432 -U postgres -d postgres -f " + sh_quote(script) + " >" +
                          sh_quote(out) + " 2>" + sh_quote(err);
        return std::system(cmd.c_str());
    }
    ~PgServer() {
        if (running) {
            std::string cmd = as_user + sh_quote(bindir + "/pg_ctl") + " -D " +
                              sh_quote(dir + "/data") + " -m immediate -w stop >/dev/null 2>&1";
            if (std::system(cmd.c_str()) != 0) std::fprintf(stderr, "pg_ctl stop failed\n");
        }
        if (!dir.empty() && !std::getenv("SIGIL_PG_KEEP")) {  // keep the files to debug
            std::error_code ec;
            fs::remove_all(dir, ec);
        }
    }
};

TEST(ConvertPostgres, MatchesReferenceInterpreterOnRealServer) {
    std::string shared = SIGIL_SHARED_DIR;
    std::string reg = shared + "/corpus/sigma/regression_data";
    if (!fs::exists(reg)) GTEST_SKIP() << "no shared regression data";
    PgServer pg;
    pg.bindir = pg_bindir();
    if (pg.bindir.empty())
        GTEST_SKIP() << "PostgreSQL server binaries not installed (/usr/lib/postgresql/*/bin/"
                        "initdb; scripts/install-deps.sh test installs them)";

    // Events: regression data, then the fixtures' flat events.
    std::vector<json> events = load_regression_events(reg);
    size_t regression_events = events.size();
    ASSERT_GT(regression_events, 100u);
    Fixtures fx;
    load_fixtures(std::string(SIGIL_TEST_DIR) + "/fixtures/conformance", fx);
    ASSERT_GT(fx.rules.size(), 50u);
    // Fixture events a table of text cells cannot state as the interpreter
    // sees them are left out: NUL characters (PostgreSQL text holds none),
    // null values (a NULL cell is also what an absent field is), and
    // characters whose Unicode case folding differs from their lower case
    // (lower()/ILIKE lower-case, Sigma folds: a documented difference).
    size_t nul_events = 0, null_events = 0, fold_events = 0;
    for (auto& e : fx.events) {
        std::string text = e.dump();
        bool has_null = false;
        for (auto it = e.begin(); it != e.end(); ++it) has_null |= it->is_null();
        if (text.find("\\u0000") != std::string::npos)
            ++nul_events;
        else if (has_null)
            ++null_events;
        else if (special_fold(text))
            ++fold_events;
        else
            events.push_back(e);
    }

    // Rules: the whole corpus, then the fixture rules.
    SigmaCollection coll;
    std::string base = shared + "/corpus/sigma/";
    load_sigma_paths({base + "rules", base + "rules-threat-hunting",
                      base + "rules-emerging-threats", base + "rules-placeholder",
                      base + "rules-compliance", base + "deprecated", base + "unsupported"},
                     coll);
    ASSERT_GT(coll.rules.size(), 3000u);
    std::vector<const Rule*> rules;
    for (auto& r : coll.rules) rules.push_back(&r);
    size_t corpus_rules = rules.size();
    for (auto* r : fx.rules) rules.push_back(r);

    ConvertOptions o;
    o.target = "postgres";
    Diagnostics d;
    auto conv = Converter::create(o, d);
    ASSERT_TRUE(conv);
    std::vector<std::vector<std::string>> where(rules.size());  // empty: not converted
    std::set<std::string> cols;
    size_t converted = 0, unsupported = 0, fold_rules = 0;
    for (size_t r = 0; r < rules.size(); ++r) {
        if (rules[r]->kind != RuleKind::Detection) continue;
        auto rc = conv->convert(*rules[r]);
        if (!rc.ok()) {
            unsupported += !rc.errors.empty();
            continue;
        }
        const std::string prefix = "SELECT * FROM eventlog WHERE ";
        bool fold = false;
        for (auto& q : rc.queries) {  // one query per condition
            ASSERT_EQ(q.rfind(prefix, 0), 0u) << q;
            ASSERT_EQ(q.find('\n'), std::string::npos) << q;
            fold |= special_fold(q);
        }
        if (fold && r >= corpus_rules) {  // see the events above
            ++fold_rules;
            continue;
        }
        for (auto& q : rc.queries) where[r].push_back(q.substr(prefix.size()));
        ++converted;
        rule_fields(*rules[r], cols);
    }
    for (auto& e : events)
        for (auto it = e.begin(); it != e.end(); ++it) cols.insert(it.key());
    cols.erase("idx");
    ASSERT_LT(cols.size(), 1590u) << "more columns than a PostgreSQL table holds";

    PgServer* server = &pg;
    ASSERT_TRUE(server->start()) << server->error;

    // One script: the table, the rows, every accepted rule's query run over
    // them, then every query prepared as emitted (syntax and name resolution).
    std::string script = pg.dir + "/run.sql", out = pg.dir + "/out.txt", err = pg.dir + "/err.txt";
    std::vector<size_t> line_rule{0};  // script line (1-based) → rule index + 1, 0 = setup
    {
        std::string s = "SET client_min_messages = warning;\nCREATE TABLE eventlog (idx integer";
        for (auto& c : cols) s += ", " + ident(c) + " text";
        s += ");\n";
        line_rule.resize(3, 0);
        for (size_t i = 0; i < events.size(); ++i) {
            std::string names = "idx", vals = std::to_string(i), cell;
            for (auto it = events[i].begin(); it != events[i].end(); ++it) {
                if (!cell_text(*it, cell)) continue;  // null = a NULL cell
                names += ", " + ident(it.key());
                vals += ", " + sql_quote(cell);
            }
            s += "INSERT INTO eventlog (" + names + ") VALUES (" + vals + ");\n";
            line_rule.resize(line_rule.size() + 1 + std::count(vals.begin(), vals.end(), '\n'), 0);
        }
        for (size_t r = 0; r < rules.size(); ++r) {
            if (where[r].empty()) continue;
            for (auto& w : where[r]) {
                s += "SELECT " + std::to_string(r) + ", idx FROM eventlog WHERE " + w + ";\n";
                line_rule.push_back(r + 1);
            }
        }
        for (size_t r = 0; r < corpus_rules; ++r) {
            if (where[r].empty()) continue;
            for (auto& w : where[r]) {
                s += "PREPARE q AS SELECT * FROM eventlog WHERE " + w + "; DEALLOCATE q;\n";
                line_rule.push_back(r + 1);
            }
        }
        std::ofstream f(script);
        f << s;
    }
    pg.psql(script, out, err);

    // Errors: "psql:FILE:LINE: ERROR:  message".
    std::vector<std::string> errors;
    {
        std::istringstream es(slurp(err));
        std::string l;
        while (std::getline(es, l)) {
            size_t e = l.find(": ERROR:");
            if (e == std::string::npos) continue;
            size_t c = l.rfind(':', e - 1);
            size_t line = std::strtoul(l.c_str() + c + 1, nullptr, 10);
            size_t r = line < line_rule.size() ? line_rule[line] : 0;
            errors.push_back((r ? rules[r - 1]->title + ": " + where[r - 1][0] + "\n  " : "") + l);
        }
    }
    std::map<size_t, std::set<size_t>> got;
    {
        std::istringstream os(slurp(out));
        std::string l;
        while (std::getline(os, l)) {
            size_t comma = l.find(',');
            if (comma == std::string::npos) continue;
            got[std::strtoul(l.c_str(), nullptr, 10)].insert(
                std::strtoul(l.c_str() + comma + 1, nullptr, 10));
        }
    }

    // The reference interpreter on the same (flattened) events.
    size_t run = 0, matched = 0, expected_matches = 0, prepared = 0, queries = 0;
    std::vector<std::string> mismatches;
    for (size_t r = 0; r < rules.size(); ++r) {
        if (where[r].empty()) continue;
        ++run;
        prepared += r < corpus_rules;
        queries += r < corpus_rules ? where[r].size() : 0;
        std::set<size_t> expected;
        for (size_t i = 0; i < events.size(); ++i)
            if (rule_matches(*rules[r], events[i])) expected.insert(i);
        const std::set<size_t>& g = got[r];
        matched += g.size();
        expected_matches += expected.size();
        if (g != expected) {
            std::string diff;
            for (auto i : g)
                if (!expected.count(i)) diff += " +" + std::to_string(i);
            for (auto i : expected)
                if (!g.count(i)) diff += " -" + std::to_string(i);
            mismatches.push_back(rules[r]->title + " (events" + diff + "): " + where[r][0]);
        }
    }
    if (std::getenv("SIGIL_PG_KEEP"))  // debugging: every difference
        for (auto& m : mismatches) std::printf("MISMATCH %s\n", m.c_str());
    EXPECT_TRUE(errors.empty()) << errors.size() << " statements failed, first:\n" << errors[0];
    EXPECT_GT(run, 3000u);
    EXPECT_GT(matched, 200u);  // the regression events and fixtures do trigger rules
    EXPECT_EQ(matched, expected_matches);
    EXPECT_TRUE(mismatches.empty())
        << mismatches.size() << " mismatches, first: " << (mismatches.empty() ? "" : mismatches[0]);
    std::printf(
        "postgres: %zu events (%zu regression, %zu fixture; fixture events left out: %zu with "
        "lists, %zu with NUL, %zu with null values, %zu with special case folds), %zu rules run "
        "(%zu corpus, %zu fixture; %zu not accepted by the target, %zu fixture rules with "
        "special case folds left out), %zu rule/event matches, %zu mismatches, %zu corpus rules "
        "(%zu queries) PREPAREd, %zu statement errors\n",
        events.size(), regression_events, events.size() - regression_events, fx.events_skipped,
        nul_events, null_events, fold_events, run, prepared, run - prepared, unsupported,
        fold_rules, matched, mismatches.size(), prepared, queries, errors.size());
}

}  // namespace
