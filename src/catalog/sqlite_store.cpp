// catalog/sqlite_store.cpp — the catalog as an SQLite database (catalog.sqlite): one row per
// rule, child tables for every page section, and an FTS5 index for full-text search. The
// schema is documented in docs/catalog.md; kSchemaVersion changes with it.
#include <sqlite3.h>

#include <nlohmann/json.hpp>
#include <unordered_map>

#include "catalog/site_internal.h"

namespace sigil {

using nlohmann::json;

namespace {

constexpr int kSchemaVersion = 1;

constexpr const char* kSchema = R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE rules(
  rowid INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  rule_id TEXT, source TEXT, kind TEXT, title TEXT, description TEXT,
  level TEXT, status TEXT, author TEXT, date TEXT, modified TEXT, path TEXT,
  logsource_product TEXT, logsource_category TEXT, logsource_service TEXT,
  logsource_definition TEXT, logic TEXT, body TEXT);
CREATE TABLE rule_tags(rule INTEGER NOT NULL, tag TEXT);
CREATE TABLE rule_tactics(rule INTEGER NOT NULL, tactic_id TEXT, tactic TEXT,
  technique_id TEXT, technique TEXT);
CREATE TABLE rule_techniques(rule INTEGER NOT NULL, technique_id TEXT, display TEXT,
  tagged TEXT, fate TEXT);
CREATE TABLE rule_attack_objects(rule INTEGER NOT NULL, kind TEXT, attack_id TEXT, name TEXT);
CREATE TABLE rule_events(rule INTEGER NOT NULL, provider TEXT, provider_short TEXT,
  channel TEXT, event_id INTEGER, title TEXT, origin TEXT);
CREATE TABLE rule_data_needed(rule INTEGER NOT NULL, channel TEXT, provider TEXT,
  event_id INTEGER, atc_id TEXT, audit TEXT);
CREATE TABLE rule_triggers(rule INTEGER NOT NULL, technique_id TEXT, number INTEGER,
  name TEXT, guid TEXT, executor TEXT);
CREATE TABLE rule_stages(rule INTEGER NOT NULL, number INTEGER, label TEXT, text TEXT);
CREATE TABLE rule_exclusions(rule INTEGER NOT NULL, field TEXT, kind TEXT, value TEXT);
CREATE TABLE rule_indicators(rule INTEGER NOT NULL, field TEXT, kind TEXT, value TEXT,
  corpus INTEGER, corpus_sigma INTEGER, corpus_splunk INTEGER, corpus_armory INTEGER);
CREATE TABLE rule_search_terms(rule INTEGER NOT NULL, stage INTEGER, term TEXT);
CREATE TABLE rule_neighbors(rule INTEGER NOT NULL, relation TEXT, neighbor_slug TEXT,
  neighbor_title TEXT, filters INTEGER, similarity REAL);
CREATE TABLE rule_translations(rule INTEGER NOT NULL, target TEXT, query TEXT, error TEXT);
CREATE VIRTUAL TABLE rules_fts USING fts5(title, description, tags, techniques, indicators,
  author, tokenize = 'unicode61 remove_diacritics 2');
)sql";

const char* kChildTables[] = {"rule_tags",           "rule_tactics",      "rule_techniques",
                              "rule_attack_objects", "rule_events",       "rule_data_needed",
                              "rule_triggers",       "rule_stages",       "rule_exclusions",
                              "rule_indicators",     "rule_search_terms", "rule_neighbors",
                              "rule_translations"};

// A bound argument: text, integer or real.
struct Arg {
    enum { Text, Int, Real } kind = Text;
    std::string_view text;
    int64_t i = 0;
    double d = 0;
    Arg(const std::string& s) : text(s) {}
    Arg(const char* s) : text(s) {}
    Arg(int64_t v) : kind(Int), i(v) {}
    Arg(uint32_t v) : kind(Int), i(v) {}
    Arg(int v) : kind(Int), i(v) {}
    Arg(double v) : kind(Real), d(v) {}
};

// A JSON member as text (numbers printed), without copying strings.
const std::string& text_of(const json& j, std::string& tmp) {
    if (j.is_string()) return j.get_ref<const std::string&>();
    tmp = j.is_null() ? std::string() : j.dump();
    return tmp;
}

}  // namespace

struct CatalogDb::State {
    sqlite3* db = nullptr;
    std::map<std::string, sqlite3_stmt*> stmts;  // owns the prepared statements
    // The same statements by the address of their SQL literal, or of their table's name for
    // the child-table inserts: found without building or comparing SQL text (a dozen lookups
    // per rule).
    std::unordered_map<const char*, sqlite3_stmt*> by_literal, by_table;
    std::string err;

    ~State() {
        for (auto& [k, st] : stmts) sqlite3_finalize(st);
        if (db) sqlite3_close(db);
    }
    bool exec(const char* sql) {
        char* msg = nullptr;
        if (sqlite3_exec(db, sql, nullptr, nullptr, &msg) != SQLITE_OK) {
            err = msg ? msg : "sqlite error";
            sqlite3_free(msg);
            return false;
        }
        return true;
    }
    sqlite3_stmt* stmt(const std::string& sql) {
        auto it = stmts.find(sql);
        if (it != stmts.end()) {
            sqlite3_reset(it->second);
            return it->second;
        }
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v3(db, sql.c_str(), -1, SQLITE_PREPARE_PERSISTENT, &st, nullptr) !=
            SQLITE_OK) {
            err = sqlite3_errmsg(db);
            return nullptr;
        }
        stmts[sql] = st;
        return st;
    }
    bool step(sqlite3_stmt* st, std::initializer_list<Arg> args) {
        if (!st) return false;
        int k = 0;
        for (const Arg& a : args) {
            ++k;
            switch (a.kind) {
                case Arg::Text:
                    sqlite3_bind_text(st, k, a.text.data(), int(a.text.size()), SQLITE_STATIC);
                    break;
                case Arg::Int:
                    sqlite3_bind_int64(st, k, a.i);
                    break;
                case Arg::Real:
                    sqlite3_bind_double(st, k, a.d);
                    break;
            }
        }
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
            err = sqlite3_errmsg(db);
            return false;
        }
        return true;
    }
    bool run(const std::string& sql, std::initializer_list<Arg> args) {
        return step(stmt(sql), args);
    }
    bool run(const char* sql, std::initializer_list<Arg> args) {
        auto it = by_literal.find(sql);
        sqlite3_stmt* st = it != by_literal.end() ? it->second : stmt(sql);
        if (it == by_literal.end() && st) by_literal.emplace(sql, st);
        return step(st, args);
    }
    // The INSERT of a child table with n columns after `rule`, prepared once. (step() resets
    // a statement after each use.)
    sqlite3_stmt* insert(const char* table, int n) {
        auto it = by_table.find(table);
        if (it != by_table.end()) return it->second;
        std::string sql = std::string("INSERT INTO ") + table + " VALUES (?1";
        for (int k = 2; k <= n + 1; ++k) sql += ",?" + std::to_string(k);
        sql += ")";
        sqlite3_stmt* st = stmt(sql);
        if (st) by_table.emplace(table, st);
        return st;
    }
};

CatalogDb::CatalogDb() : s_(std::make_unique<State>()) {}
CatalogDb::~CatalogDb() = default;

std::string CatalogDb::open(const std::string& path, bool fresh, bool in_place) {
    if (sqlite3_open(path.c_str(), &s_->db) != SQLITE_OK)
        return "cannot open " + path + ": " + sqlite3_errmsg(s_->db);
    // A new database is built in a temporary or staging directory and only becomes visible
    // when moved into place, so journaling would buy nothing. A database updated in place
    // (an incremental build) keeps SQLite's rollback journal: until COMMIT, an interruption
    // leaves a hot journal that rolls the file back on its next opening (see
    // recover_catalog_dir). Syncing is off either way: the catalog's guarantees are about
    // interrupted builds, not power loss, like the rest of the output directory.
    // The page cache holds the whole database of a full corpus (~110 MB), so pages are
    // written once, at COMMIT, instead of being evicted and re-read while FTS5 merges.
    if (fresh && !s_->exec("PRAGMA page_size=16384;")) return s_->err;
    if (!s_->exec(in_place ? "PRAGMA journal_mode=DELETE; PRAGMA synchronous=OFF; "
                             "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-262144;"
                           : "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; "
                             "PRAGMA temp_store=MEMORY; PRAGMA cache_size=-262144;"))
        return s_->err;
    // In place, `catalog serve` may be reading: wait for its read to end rather than fail.
    if (in_place) sqlite3_busy_timeout(s_->db, 10000);
    if (fresh && !s_->exec(kSchema)) return s_->err;
    if (!fresh) {
        // An old database must have this schema version, else start over.
        sqlite3_stmt* st = s_->stmt("SELECT value FROM meta WHERE key='schema_version'");
        bool ok =
            st && sqlite3_step(st) == SQLITE_ROW &&
            std::string((const char*)sqlite3_column_text(st, 0)) == std::to_string(kSchemaVersion);
        if (st) sqlite3_reset(st);
        if (!ok) return "schema";
    }
    if (!s_->exec("BEGIN")) return s_->err;
    return "";
}

std::string CatalogDb::remove_rule(const std::string& slug) {
    sqlite3_stmt* st = s_->stmt("SELECT rowid FROM rules WHERE slug=?1");
    if (!st) return s_->err;
    sqlite3_bind_text(st, 1, slug.data(), int(slug.size()), SQLITE_STATIC);
    int rc = sqlite3_step(st);
    int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
    sqlite3_reset(st);
    if (id < 0) return "";
    for (const char* t : kChildTables)
        if (!s_->run(std::string("DELETE FROM ") + t + " WHERE rule=?1", {id})) return s_->err;
    if (!s_->run("DELETE FROM rules_fts WHERE rowid=?1", {id})) return s_->err;
    if (!s_->run("DELETE FROM rules WHERE rowid=?1", {id})) return s_->err;
    return "";
}

std::string CatalogDb::put_rule(const json& m, bool replace) {
    const std::string& slug = m["slug"].get_ref<const std::string&>();
    if (replace)
        if (auto e = remove_rule(slug); !e.empty()) return e;
    auto& ls = m["logsource"];
    std::string t1, t2, t3, t4, t5, t6, t7;
    auto T = [](const json& j, const char* k, std::string& tmp) -> const std::string& {
        return text_of(j[k], tmp);
    };
    if (!s_->run(
            "INSERT INTO rules(slug, rule_id, source, kind, title, description, level, "
            "status, author, date, modified, path, logsource_product, logsource_category, "
            "logsource_service, logsource_definition, logic, body) VALUES "
            "(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18)",
            {slug, T(m, "id", t1), T(m, "source", t2), T(m, "kind", t3), T(m, "title", t4),
             T(m, "description", t5), T(m, "level", t6), T(m, "status", t7),
             m["author"].get_ref<const std::string&>(), m["date"].get_ref<const std::string&>(),
             m["modified"].get_ref<const std::string&>(), m["path"].get_ref<const std::string&>(),
             ls["product"].get_ref<const std::string&>(),
             ls["category"].get_ref<const std::string&>(),
             ls["service"].get_ref<const std::string&>(),
             ls["definition"].get_ref<const std::string&>(),
             m["logic"].get_ref<const std::string&>(), m["body"].get_ref<const std::string&>()}))
        return s_->err;
    int64_t id = sqlite3_last_insert_rowid(s_->db);
    auto S = [](const json& j, const char* k) -> const std::string& {
        return j[k].get_ref<const std::string&>();
    };
    auto I = [](const json& j, const char* k) -> int64_t { return j[k].get<int64_t>(); };
    bool ok = true;
    std::string tags, techniques, indicators;
    sqlite3_stmt* st = s_->insert("rule_tags", 1);
    for (auto& t : m["tags"]) {
        ok = ok && s_->step(st, {id, t.get_ref<const std::string&>()});
        tags += t.get_ref<const std::string&>() + ' ';
    }
    st = s_->insert("rule_tactics", 4);
    for (auto& t : m["tactics"]) {
        if (t["techniques"].empty())
            ok = ok && s_->step(st, {id, S(t, "tactic_id"), S(t, "tactic"), "", ""});
        for (auto& x : t["techniques"])
            ok = ok &&
                 s_->step(st, {id, S(t, "tactic_id"), S(t, "tactic"), S(x, "id"), S(x, "display")});
    }
    st = s_->insert("rule_techniques", 4);
    for (auto& x : m["techniques"]) {
        ok = ok && s_->step(st, {id, S(x, "id"), S(x, "display"), S(x, "tagged"), S(x, "fate")});
        techniques += S(x, "id") + ' ' + S(x, "display") + ' ';
    }
    st = s_->insert("rule_attack_objects", 3);
    for (auto& x : m["software"])
        ok = ok && s_->step(st, {id, "software", S(x, "id"), S(x, "name")});
    for (auto& x : m["groups"]) ok = ok && s_->step(st, {id, "group", S(x, "id"), S(x, "name")});
    st = s_->insert("rule_events", 6);
    for (auto& e : m["events"])
        ok = ok && s_->step(st, {id, S(e, "provider"), S(e, "provider_short"), S(e, "channel"),
                                 I(e, "event_id"), S(e, "title"), S(e, "origin")});
    st = s_->insert("rule_data_needed", 5);
    for (auto& d : m["data_needed"])
        ok = ok && s_->step(st, {id, S(d, "channel"), S(d, "provider"), I(d, "event_id"),
                                 S(d, "atc_id"), S(d, "audit")});
    st = s_->insert("rule_triggers", 5);
    for (auto& t : m["triggers"])
        ok = ok && s_->step(st, {id, S(t, "technique"), I(t, "number"), S(t, "name"), S(t, "guid"),
                                 S(t, "executor")});
    st = s_->insert("rule_stages", 3);
    for (auto& x : m["stages"])
        ok = ok && s_->step(st, {id, I(x, "number"), S(x, "label"), S(x, "text")});
    st = s_->insert("rule_exclusions", 3);
    for (auto& x : m["exclusions"])
        for (auto& v : x["values"])
            ok = ok &&
                 s_->step(st, {id, S(x, "field"), S(x, "kind"), v.get_ref<const std::string&>()});
    st = s_->insert("rule_indicators", 7);
    for (auto& x : m["indicators"])
        for (auto& v : x["values"]) {
            auto& b = v["by_source"];
            ok = ok && s_->step(st, {id, S(x, "field"), S(x, "kind"), S(v, "value"), I(v, "corpus"),
                                     I(b, "sigma"), I(b, "splunk"), I(b, "armory")});
            indicators += S(x, "field") + ' ' + S(v, "value") + ' ';
        }
    st = s_->insert("rule_search_terms", 2);
    for (auto& t : m["search_terms"]) ok = ok && s_->step(st, {id, I(t, "stage"), S(t, "term")});
    st = s_->insert("rule_neighbors", 5);
    for (const char* rel : {"stricter", "broader", "duplicate", "near_duplicate"})
        for (auto& n : m["neighbors"][rel])
            ok = ok && s_->step(st, {id, rel, S(n, "slug"), S(n, "title"), I(n, "filters"),
                                     n["similarity"].get<double>()});
    st = s_->insert("rule_translations", 3);
    for (auto& t : m["translations"])
        ok = ok && s_->step(st, {id, S(t, "target"), S(t, "query"), S(t, "error")});
    if (!ok) return s_->err;
    if (!s_->run(
            "INSERT INTO rules_fts(rowid, title, description, tags, techniques, "
            "indicators, author) VALUES (?1,?2,?3,?4,?5,?6,?7)",
            {id, S(m, "title"), S(m, "description"), tags, techniques, indicators, S(m, "author")}))
        return s_->err;
    return "";
}

std::string CatalogDb::commit() {
    return s_->exec("COMMIT") ? "" : s_->err;
}

void CatalogDb::rollback() {
    s_->exec("ROLLBACK");
}

std::string CatalogDb::finish(size_t rule_count, bool commit) {
    std::string ver = std::to_string(kSchemaVersion), n = std::to_string(rule_count);
    bool ok =
        s_->run("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?1)", {ver}) &&
        s_->run("INSERT OR REPLACE INTO meta VALUES ('sigil_version', ?1)", {SIGIL_VERSION}) &&
        s_->run("INSERT OR REPLACE INTO meta VALUES ('rule_count', ?1)", {n});
    if (!ok) return s_->err;
    // Indexes on the child tables' rule column: created once, they make the per-rule
    // deletes of an incremental build cheap.
    for (const char* t : kChildTables) {
        std::string sql =
            std::string("CREATE INDEX IF NOT EXISTS ") + t + "_rule ON " + t + "(rule)";
        if (!s_->exec(sql.c_str())) return s_->err;
    }
    if (commit && !s_->exec("COMMIT")) return s_->err;
    return "";
}

}  // namespace sigil
