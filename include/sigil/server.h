// sigil/server.h — the catalog's local web server: serves a built catalog directory (the
// static site) and a JSON search API over its SQLite full-text index.
#pragma once

#include <memory>
#include <string>

namespace sigil {

struct ServeOptions {
    std::string dir;                 // a directory written by build_catalog()
    std::string bind = "127.0.0.1";  // loopback unless told otherwise
    int port = 8080;                 // 0 = any free port
};

/* Routes:
 *   GET /api/search?q=WORDS[&limit=N]  JSON {query, count, results: [{slug, title, source,
 *                                      level, url, snippet}]}, ranked by BM25 over title,
 *                                      description, tags, techniques, indicators and body
 *   GET /<path>                        a file of the catalog directory; a directory gives its
 *                                      index.html. Paths with ".." segments, or resolving
 *                                      outside the directory (symlinks), are refused (403);
 *                                      the build's private files (.sigil/) are not served.
 */
class CatalogServer {
  public:
    explicit CatalogServer(ServeOptions o);
    ~CatalogServer();
    // Binds the socket; returns an error message, or empty on success.
    std::string bind();
    int port() const;  // the bound port (useful with port 0)
    // Serves until stop() is called (from another thread or a signal handler).
    void run();
    void stop();

  private:
    struct Impl;
    std::unique_ptr<Impl> p_;
};

// The JSON body of /api/search for a catalog database (used by the server and tests).
std::string catalog_search_json(const std::string& db_path, const std::string& query, int limit);

}  // namespace sigil
