// server/server.cpp — `sigil catalog serve`: cpp-httplib serving a catalog directory and the
// /api/search JSON endpoint over catalog.sqlite's FTS5 index.
#include "sigil/server.h"

#include <httplib.h>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sigil/catalog.h"

namespace sigil {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

const char* mime_type(const std::string& ext) {
    if (ext == ".html") return "text/html; charset=utf-8";
    if (ext == ".css") return "text/css; charset=utf-8";
    if (ext == ".js") return "text/javascript; charset=utf-8";
    if (ext == ".json") return "application/json";
    if (ext == ".md") return "text/markdown; charset=utf-8";
    if (ext == ".csv") return "text/csv; charset=utf-8";
    if (ext == ".sqlite") return "application/vnd.sqlite3";
    if (ext == ".png") return "image/png";
    if (ext == ".svg") return "image/svg+xml";
    return "application/octet-stream";
}

/* FTS5 query from user words: each whitespace-separated word becomes a quoted phrase (quotes
 * doubled) with a prefix star, and the phrases are ANDed. The user's text can then never be
 * read as FTS5 syntax (NEAR, column filters, parentheses), so no query is a syntax error;
 * "T1569.002" becomes the phrase "t1569 002" as the tokenizer splits it. */
std::string fts_query(const std::string& q) {
    std::string out, word;
    auto flush = [&] {
        if (word.empty()) return;
        std::string p = "\"";
        for (char c : word) {
            if (c == '"') p += '"';
            p += c;
        }
        p += "\"*";
        if (!out.empty()) out += " AND ";
        out += p;
        word.clear();
    };
    for (char c : q) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            flush();
        else
            word += c;
    }
    flush();
    return out;
}

void security_headers(httplib::Response& res) {
    res.set_header("X-Content-Type-Options", "nosniff");
    res.set_header("Content-Security-Policy",
                   "default-src 'self'; img-src 'self' data:; object-src 'none'; "
                   "frame-ancestors 'none'; base-uri 'none'");
    res.set_header("Referrer-Policy", "no-referrer");
}

}  // namespace

std::string catalog_search_json(const std::string& db_path, const std::string& query, int limit) {
    json out = {{"query", query}, {"count", 0}, {"results", json::array()}};
    std::string match = fts_query(query);
    if (match.empty()) return out.dump();
    sqlite3* db = nullptr;
    if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        sqlite3_close(db);
        out["error"] = "the catalog has no database";
        return out.dump();
    }
    const char* sql =
        "SELECT r.slug, r.title, r.source, r.level, "
        "snippet(rules_fts, -1, '[', ']', '…', 16) "
        "FROM rules_fts JOIN rules r ON r.rowid = rules_fts.rowid "
        "WHERE rules_fts MATCH ?1 "
        "ORDER BY bm25(rules_fts, 10.0, 3.0, 2.0, 2.0, 1.0, 0.5) LIMIT ?2";
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, match.c_str(), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 2, limit);
        auto col = [&](int i) {
            const unsigned char* t = sqlite3_column_text(st, i);
            return t ? std::string((const char*)t) : std::string();
        };
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
            std::string slug = col(0);
            out["results"].push_back({{"slug", slug},
                                      {"title", col(1)},
                                      {"source", col(2)},
                                      {"level", col(3)},
                                      {"url", "/rules/" + slug + ".html"},
                                      {"snippet", col(4)}});
        }
        if (rc != SQLITE_DONE) out["error"] = sqlite3_errmsg(db);
    } else {
        out["error"] = sqlite3_errmsg(db);
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    out["count"] = out["results"].size();
    return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

struct CatalogServer::Impl {
    ServeOptions o;
    httplib::Server svr;
    int port = 0;
    fs::path root;
};

CatalogServer::CatalogServer(ServeOptions o) : p_(std::make_unique<Impl>()) {
    p_->o = std::move(o);
}
CatalogServer::~CatalogServer() = default;

std::string CatalogServer::bind() {
    std::error_code ec;
    p_->root = fs::weakly_canonical(p_->o.dir, ec);
    if (ec || !fs::is_directory(p_->root, ec)) return "no catalog directory at " + p_->o.dir;
    // An incremental build interrupted after its commit point: finish it before serving.
    if (fs::exists(p_->root / ".sigil" / "journal", ec) && !recover_catalog_dir(p_->root.string()))
        return "cannot finish the interrupted build of " + p_->o.dir + " (.sigil/journal)";
    Impl* p = p_.get();
    // A response goes out as two writes (head, body); with Nagle's algorithm the
    // second waits for the client's delayed ACK of the first (~40 ms per request
    // on Linux loopback), so small writes are sent at once.
    p->svr.set_tcp_nodelay(true);
    p->svr.Get("/api/search", [p](const httplib::Request& req, httplib::Response& res) {
        security_headers(res);
        std::string q = req.has_param("q") ? req.get_param_value("q") : "";
        int limit = 50;
        if (req.has_param("limit")) {
            try {
                limit = std::clamp(std::stoi(req.get_param_value("limit")), 1, 500);
            } catch (...) {
                limit = 50;
            }
        }
        res.set_content(catalog_search_json((p->root / "catalog.sqlite").string(), q, limit),
                        "application/json");
    });
    /* Static files. httplib gives the path URL-decoded. Refused: any ".." or "." segment,
     * backslashes and NUL bytes, hidden entries (the build's .sigil/), and anything whose
     * canonical path (symlinks resolved) is not under the canonical root. */
    p->svr.Get(R"(/.*)", [p](const httplib::Request& req, httplib::Response& res) {
        security_headers(res);
        const std::string& path = req.path;
        bool bad = path.empty() || path[0] != '/' || path.find('\0') != std::string::npos ||
                   path.find('\\') != std::string::npos;
        std::string rel;
        size_t i = 1;
        while (!bad && i <= path.size()) {
            size_t e = path.find('/', i);
            if (e == std::string::npos) e = path.size();
            std::string seg = path.substr(i, e - i);
            if (seg == ".." || seg == "." || (!seg.empty() && seg[0] == '.')) bad = true;
            if (!seg.empty()) rel += (rel.empty() ? "" : "/") + seg;
            i = e + 1;
        }
        if (bad) {
            res.status = 403;
            res.set_content("forbidden\n", "text/plain");
            return;
        }
        std::error_code ec;
        fs::path f = p->root / rel;
        if (fs::is_directory(f, ec)) f /= "index.html";
        fs::path canon = fs::weakly_canonical(f, ec);
        std::string cs = canon.string(), rs = p->root.string();
        if (ec || cs.compare(0, rs.size(), rs) != 0 ||
            (cs.size() > rs.size() && cs[rs.size()] != '/')) {
            res.status = 403;
            res.set_content("forbidden\n", "text/plain");
            return;
        }
        std::ifstream in(canon, std::ios::binary);
        if (!in || !fs::is_regular_file(canon, ec)) {
            res.status = 404;
            res.set_content("not found\n", "text/plain");
            return;
        }
        std::ostringstream ss;
        ss << in.rdbuf();
        res.set_content(ss.str(), mime_type(canon.extension().string()));
    });
    if (p->o.port == 0) {
        p->port = p->svr.bind_to_any_port(p->o.bind);
        if (p->port <= 0) return "cannot bind " + p->o.bind;
    } else {
        if (!p->svr.bind_to_port(p->o.bind, p->o.port))
            return "cannot bind " + p->o.bind + ":" + std::to_string(p->o.port);
        p->port = p->o.port;
    }
    return "";
}

int CatalogServer::port() const {
    return p_->port;
}
void CatalogServer::run() {
    p_->svr.listen_after_bind();
}
void CatalogServer::stop() {
    p_->svr.stop();
}

}  // namespace sigil
