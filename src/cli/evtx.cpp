// cli/evtx.cpp — `sigil evtx dump FILE... [--format jsonl|xml|fields]`: print
// every readable record of .evtx files; diagnostics and a summary on stderr.
#include "sigil/evtx.h"

#include <cstdio>
#include <string>
#include <vector>

#include "cli/commands.h"

namespace sigil::cli {

namespace {

struct DumpArgs {
    std::vector<std::string> files;
    std::string format = "jsonl";
    bool stats = false;
    bool quiet = false;
    bool no_crc = false;
    bool slack = false;
};

void print_diag(const Diagnostic& d) {
    std::fprintf(stderr, "%s: %s: %s: %s\n", d.loc.file ? d.loc.file->c_str() : "-",
                 severity_name(d.severity), d.code.c_str(), d.message.c_str());
}

int run_dump(const DumpArgs& a) {
    std::string out;
    out.reserve(1 << 20);
    bool write_failed = false;
    auto flush = [&] {
        if (!out.empty() && !write_failed &&
            std::fwrite(out.data(), 1, out.size(), stdout) != out.size())
            write_failed = true;
        out.clear();
    };
    EvtxOptions opts;
    opts.verify_checksums = !a.no_crc;
    opts.recover_slack = a.slack;
    EvtxStats total;
    int unreadable = 0;
    for (const auto& f : a.files) {
        Diagnostics diags;
        EvtxStats s = read_evtx_records(
            f,
            [&](const EvtxRecord& r) {
                if (a.format == "xml") {
                    r.append_xml(out);
                } else if (a.format == "fields") {
                    nlohmann::json j = r.event().to_json();
                    out += j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
                    out += '\n';
                } else {
                    r.append_json(out);
                    out += '\n';
                }
                if (out.size() > (1 << 20)) flush();
                return !write_failed;
            },
            diags, opts);
        if (!a.quiet)
            for (auto& d : diags) print_diag(d);
        if (!s.file_ok) ++unreadable;
        if (a.stats)
            std::fprintf(stderr,
                         "%s: %llu records read, %llu failed, %llu recovered, %llu chunks "
                         "(%llu empty, %llu bad), %llu templates\n",
                         f.c_str(), (unsigned long long)s.records_read,
                         (unsigned long long)s.records_failed,
                         (unsigned long long)s.records_recovered,
                         (unsigned long long)s.chunks_total, (unsigned long long)s.chunks_empty,
                         (unsigned long long)s.chunks_bad, (unsigned long long)s.templates);
        total += s;
        if (write_failed) break;
    }
    flush();
    std::fflush(stdout);
    if (a.stats && a.files.size() > 1)
        std::fprintf(stderr, "total: %zu files, %llu records read, %llu failed, %llu recovered\n",
                     a.files.size(), (unsigned long long)total.records_read,
                     (unsigned long long)total.records_failed,
                     (unsigned long long)total.records_recovered);
    if (write_failed) return kOk;  // broken pipe: quiet
    return unreadable ? kRuntime : kOk;
}

}  // namespace

void register_evtx(CLI::App& app, int& rc) {
    auto* evtx = app.add_subcommand("evtx", "Read Windows .evtx event logs");
    evtx->require_subcommand(1);
    auto args = std::make_shared<DumpArgs>();
    auto* dump = evtx->add_subcommand("dump", "Print every readable record of .evtx files");
    dump->add_option("files", args->files, ".evtx files")->required();
    dump->add_option("--format", args->format,
                     "jsonl (evtx_dump layout), xml, or fields (flat Sigma field names)")
        ->check(CLI::IsMember({"jsonl", "xml", "fields"}));
    dump->add_flag("--stats", args->stats, "Print per-file record and chunk counts on stderr");
    dump->add_flag("-q,--quiet", args->quiet, "Do not print diagnostics");
    dump->add_flag("--no-crc", args->no_crc, "Skip checksum verification");
    dump->add_flag("--recover-slack", args->slack,
                   "Also print stale records found in chunks' unused space");
    dump->callback([args, &rc] { rc = run_dump(*args); });
}

}  // namespace sigil::cli
