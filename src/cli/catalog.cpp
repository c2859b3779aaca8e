// cli/catalog.cpp — `sigil catalog build PATHS... -o DIR` (the catalog site, Markdown, JSON,
// SQLite, Navigator layer, CSV) and `sigil catalog serve DIR` (the local web server).
#include "sigil/catalog.h"

#include <signal.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/commands.h"
#include "sigil/server.h"

namespace sigil::cli {

namespace {

struct BuildOptions {
    std::vector<std::string> paths;
    std::string out;
    std::string format = "text";
    bool full = false, no_neighbors = false, verbose = false, quiet = false;
};

int run_build(const BuildOptions& o) {
    CatalogBuildOptions b;
    b.paths = o.paths;
    b.out_dir = o.out;
    b.incremental = !o.full;
    b.analysis.neighbors = !o.no_neighbors;
    b.analysis.translate = default_translator();
    b.keep_memory = true;  // the process ends right after the report (see register_catalog)
    CatalogBuildReport r = build_catalog(b);
    std::map<std::string, size_t> by_code;
    size_t errors = 0, warnings = 0;
    for (auto& d : r.diagnostics) {
        ++by_code[d.code];
        (d.severity == Severity::Error ? errors : warnings)++;
    }
    if (o.format == "json") {
        nlohmann::json diags = nlohmann::json::array();
        for (auto& d : r.diagnostics)
            diags.push_back({{"file", d.loc.file ? *d.loc.file : ""},
                             {"line", d.loc.line},
                             {"column", d.loc.col},
                             {"severity", severity_name(d.severity)},
                             {"code", d.code},
                             {"message", d.message}});
        nlohmann::json j = {{"ok", r.ok},
                            {"out", o.out},
                            {"files", r.files},
                            {"files_cached", r.files_cached},
                            {"rules", r.rules},
                            {"pages_written", r.pages_written},
                            {"pages_reused", r.pages_reused},
                            {"translated", r.translated},
                            {"seconds",
                             {{"load", r.t_load},
                              {"translate", r.t_translate},
                              {"analyze", r.t_analyze},
                              {"render", r.t_render},
                              {"sqlite", r.t_sqlite},
                              {"swap", r.t_swap}}},
                            {"diagnostics", diags}};
        std::puts(j.dump(2).c_str());
    } else {
        size_t shown = 0;
        for (auto& d : r.diagnostics) {
            if (o.quiet && d.severity != Severity::Error) continue;
            if (!o.verbose && shown >= 20) break;
            std::fprintf(stderr, "%s: %s %s: %s\n", d.loc.str().c_str(), severity_name(d.severity),
                         d.code.c_str(), d.message.c_str());
            ++shown;
        }
        if (!o.verbose && r.diagnostics.size() > shown) {
            std::fprintf(stderr, "... %zu more diagnostics (--verbose lists all):",
                         r.diagnostics.size() - shown);
            for (auto& [code, n] : by_code) std::fprintf(stderr, " %s %zu", code.c_str(), n);
            std::fputc('\n', stderr);
        }
        std::fprintf(stderr,
                     "catalog: %zu files (%zu from cache), %zu rules, %zu errors, %zu warnings; "
                     "%zu files written, %zu reused; CPU seconds: load %.2f translate %.2f "
                     "(%zu rules) analyze %.2f render %.2f sqlite %.2f swap %.2f\n",
                     r.files, r.files_cached, r.rules, errors, warnings, r.pages_written,
                     r.pages_reused, r.t_load, r.t_translate, r.translated, r.t_analyze, r.t_render,
                     r.t_sqlite, r.t_swap);
        if (r.ok) std::fprintf(stderr, "catalog written to %s\n", o.out.c_str());
    }
    return r.ok ? kOk : kRuntime;
}

struct ServeOpts {
    std::string dir;
    std::string bind = "127.0.0.1";
    int port = 8080;
};

int run_serve(const ServeOpts& o) {
    ServeOptions so;
    so.dir = o.dir;
    so.bind = o.bind;
    so.port = o.port;
    CatalogServer server(so);
    // SIGINT/SIGTERM stop the server: they are blocked here (and so in every server thread)
    // and taken by a waiting thread, which calls stop() outside signal context.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::string err = server.bind();
    if (!err.empty()) {
        std::fprintf(stderr, "sigil catalog serve: %s\n", err.c_str());
        return kRuntime;
    }
    std::fprintf(stderr, "serving %s at http://%s:%d/ (Ctrl-C stops)\n", o.dir.c_str(),
                 o.bind.c_str(), server.port());
    std::thread waiter([&] {
        int sig = 0;
        sigwait(&set, &sig);
        server.stop();
    });
    server.run();
    // run() also returns when the listener fails; wake the waiter if it still waits.
    pthread_kill(waiter.native_handle(), SIGTERM);
    waiter.join();
    return kOk;
}

}  // namespace

void register_catalog(CLI::App& app, int& rc) {
    auto* cat = app.add_subcommand("catalog", "Build and serve the rule catalog");
    cat->require_subcommand(1);

    auto b = std::make_shared<BuildOptions>();
    auto* build = cat->add_subcommand(
        "build",
        "Analyse rules and write the catalog directory: HTML site, Markdown, JSON, SQLite,\n"
        "ATT&CK Navigator layer and CSV. The directory is replaced atomically; a rebuild\n"
        "reuses the previous build's rule cache and unchanged pages.\n"
        "Exit status: 0 catalog written (rules that failed to load are reported), 2 usage\n"
        "error, 3 the catalog could not be written.");
    build->add_option("paths", b->paths, "Rule files or directories (recursive)")->required();
    build->add_option("-o,--out", b->out, "Catalog directory to write")->required();
    build->add_option("--format", b->format, "Report format")
        ->check(CLI::IsMember({"text", "json"}));
    build->add_flag("--full", b->full, "Ignore the previous build: parse and render everything");
    build->add_flag("--no-neighbors", b->no_neighbors,
                    "Skip the stricter/broader/duplicate search");
    build->add_flag("-v,--verbose", b->verbose, "List every diagnostic");
    build->add_flag("-q,--quiet", b->quiet, "List errors only");
    // The build leaves its memory unreleased (CatalogBuildOptions::keep_memory) and the
    // process ends here: quick_exit runs no destructors, after the output is flushed.
    build->callback([b, &rc] {
        rc = run_build(*b);
        std::fflush(nullptr);
        std::quick_exit(rc);
    });

    auto s = std::make_shared<ServeOpts>();
    auto* serve = cat->add_subcommand(
        "serve",
        "Serve a catalog directory over HTTP, with /api/search?q= (JSON full-text search)");
    serve->add_option("dir", s->dir, "Catalog directory written by `sigil catalog build`")
        ->required();
    serve->add_option("--port", s->port, "TCP port (0 = any free port)")
        ->check(CLI::Range(0, 65535));
    serve->add_option("--bind", s->bind, "Address to listen on (default: loopback only)");
    serve->callback([s, &rc] { rc = run_serve(*s); });
}

}  // namespace sigil::cli
