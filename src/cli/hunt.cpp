// cli/hunt.cpp — `sigil hunt -r RULES... LOGS...`: compile the rules, run
// them over EVTX / JSON logs, print a timeline (table, CSV or JSON lines) on
// stdout and a summary by level and rule on stderr.
#include "sigil/hunt.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/output.h"
#include "sigil/rules.h"

namespace sigil::cli {

namespace {

struct HuntCliOptions {
    std::vector<std::string> rules, logs, pipelines;
    std::string min_level, format = "auto", color = "auto", json_layout = "auto",
                           prefilter_engine = "auto";
    unsigned threads = 1;
    bool quiet = false, no_gate = false, no_prefilter = false, no_cache = false;
};

std::atomic<bool> g_interrupted{false};

extern "C" void on_sigint(int) {
    g_interrupted.store(true);
    std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends the process at once
}

// Appends one CSV field (quoted when it holds a comma, quote or line break).
void csv_field(std::string& out, std::string_view s) {
    if (s.find_first_of(",\"\n\r") == std::string_view::npos) {
        out.append(s);
        return;
    }
    out += '"';
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
}

// Cuts a UTF-8 string to at most `width` code points (with an ellipsis).
std::string fit(const std::string& s, size_t width) {
    size_t cps = 0, i = 0;
    for (; i < s.size(); ++i) {
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
            if (cps == width) break;
            ++cps;
        }
    }
    if (i >= s.size()) return s;
    std::string out = s.substr(0, i);
    // replace the last code point by an ellipsis
    size_t j = out.size();
    while (j > 0 && (static_cast<unsigned char>(out[j - 1]) & 0xC0) == 0x80) --j;
    if (j > 0) out.resize(j - 1);
    return out + "…";
}

size_t cp_len(const std::string& s) {
    size_t n = 0;
    for (unsigned char c : s) n += (c & 0xC0) != 0x80;
    return n;
}

const char* level_color(const std::string& level) {
    if (level == "critical") return "1;31";
    if (level == "high") return "31";
    if (level == "medium") return "33";
    if (level == "low") return "32";
    return "2";
}

void print_table(const HuntResult& res, const std::vector<Rule>& rules, const Painter& paint) {
    struct winsize ws {};
    size_t width = 160;
    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 40) width = ws.ws_col;
    size_t wc = 8, wch = 7, wr = 4;
    for (auto& h : res.hits) {
        wc = std::max(wc, std::min<size_t>(cp_len(h.computer), 24));
        wch = std::max(wch, std::min<size_t>(cp_len(h.channel), 28));
        wr = std::max(wr, std::min<size_t>(cp_len(rules[h.rule].title), 48));
    }
    auto pad = [](const std::string& s, size_t w) {
        std::string f = fit(s, w);
        return f + std::string(w - std::min(w, cp_len(f)), ' ');
    };
    size_t fixed = 24 + 1 + wc + 1 + wch + 1 + 6 + 1 + 6 + 1 + wr + 1;
    size_t wd = width > fixed + 10 ? width - fixed : 10;
    std::string head = pad("Timestamp", 24) + " " + pad("Computer", wc) + " " +
                       pad("Channel", wch) + " " + pad("Event", 6) + " " + pad("Level", 6) + " " +
                       pad("Rule", wr) + " " + "Details";
    std::printf("%s\n", paint.wrap("1", head).c_str());
    for (auto& h : res.hits) {
        const Rule& r = rules[h.rule];
        std::string lvl = r.level.empty() ? "-" : r.level;
        std::string short_lvl = lvl == "informational" ? "info" : lvl == "critical" ? "crit" : lvl;
        std::printf("%s %s %s %s %s %s %s\n", pad(h.timestamp, 24).c_str(),
                    pad(h.computer, wc).c_str(), pad(h.channel, wch).c_str(),
                    pad(h.event_id, 6).c_str(),
                    paint.wrap(level_color(lvl), pad(short_lvl, 6)).c_str(),
                    pad(r.title, wr).c_str(), fit(h.details, wd).c_str());
    }
}

void print_csv(const HuntResult& res, const std::vector<Rule>& rules) {
    std::string out =
        "timestamp,computer,channel,event_id,level,rule_title,rule_id,details,file,record\n";
    for (auto& h : res.hits) {
        const Rule& r = rules[h.rule];
        for (std::string_view f :
             {std::string_view(h.timestamp), std::string_view(h.computer),
              std::string_view(h.channel), std::string_view(h.event_id), std::string_view(r.level),
              std::string_view(r.title), std::string_view(r.id), std::string_view(h.details),
              std::string_view(h.source)}) {
            csv_field(out, f);
            out += ',';
        }
        out += std::to_string(h.record_id);
        out += '\n';
        if (out.size() > (1u << 16)) {
            std::fwrite(out.data(), 1, out.size(), stdout);
            out.clear();
        }
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
}

void print_jsonl(const HuntResult& res, const std::vector<Rule>& rules) {
    for (auto& h : res.hits) {
        const Rule& r = rules[h.rule];
        nlohmann::json o = {{"timestamp", h.timestamp},
                            {"computer", h.computer},
                            {"channel", h.channel},
                            {"event_id", h.event_id},
                            {"level", r.level},
                            {"rule_title", r.title},
                            {"rule_id", r.id},
                            {"rule_path", r.loc.file ? *r.loc.file : ""},
                            {"correlation", h.correlation},
                            {"details", h.details},
                            {"file", h.source},
                            {"record", h.record_id}};
        if (!h.event_json.empty()) o["event"] = nlohmann::json::parse(h.event_json, nullptr, false);
        std::puts(o.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    }
}

void print_summary(const HuntResult& res, const std::vector<Rule>& rules, double secs,
                   const Painter& paint) {
    static const char* levels[] = {"critical", "high", "medium", "low", "informational"};
    std::map<std::string, size_t> by_level;
    std::map<uint32_t, size_t> by_rule;
    for (auto& h : res.hits) {
        ++by_level[rules[h.rule].level];
        ++by_rule[h.rule];
    }
    std::fprintf(stderr, "%s%zu detections by %zu rules in %llu events from %llu files (%.2f s",
                 res.cancelled ? "interrupted: " : "", res.hits.size(), by_rule.size(),
                 (unsigned long long)res.events, (unsigned long long)res.files, secs);
    if (secs > 0) std::fprintf(stderr, ", %.0f events/s", double(res.events) / secs);
    std::fprintf(stderr, ")\n");
    if (res.hits.empty()) return;
    std::string line = "by level:";
    for (auto* l : levels)
        if (by_level.count(l))
            line += " " + paint.wrap(level_color(l), l) + " " + std::to_string(by_level[l]);
    for (auto& [l, n] : by_level)
        if (level_rank(l) < 0)
            line += " " + (l.empty() ? std::string("(none)") : l) + " " + std::to_string(n);
    std::fprintf(stderr, "%s\n", line.c_str());
    std::vector<std::pair<size_t, uint32_t>> top;
    for (auto& [r, n] : by_rule) top.emplace_back(n, r);
    std::sort(top.begin(), top.end(), [&](auto& a, auto& b) {
        int la = level_rank(rules[a.second].level), lb = level_rank(rules[b.second].level);
        if (la != lb) return la > lb;
        return a.first > b.first;
    });
    std::fprintf(stderr, "by rule:\n");
    size_t shown = 0;
    for (auto& [n, r] : top) {
        if (++shown > 25) {
            std::fprintf(stderr, "  ... %zu more rules\n", top.size() - 25);
            break;
        }
        const std::string& l = rules[r].level;
        std::fprintf(stderr, "  %6zu  %s  %s\n", n,
                     paint.wrap(level_color(l), fit(l.empty() ? "-" : l, 13)).c_str(),
                     rules[r].title.c_str());
    }
}

void print_diagnostics(const Diagnostics& diags, const Painter& paint, size_t limit) {
    size_t shown = 0;
    for (auto& d : diags) {
        if (shown++ >= limit) {
            std::fprintf(stderr, "... %zu more diagnostics\n", diags.size() - limit);
            break;
        }
        std::fprintf(stderr, "%s: %s %s: %s%s\n", d.loc.str().c_str(),
                     paint.severity(d.severity).c_str(), d.code.c_str(), d.message.c_str(),
                     d.rule.empty() ? "" : (" [" + d.rule + "]").c_str());
    }
}

int run_hunt(const HuntCliOptions& o) {
    Painter err_paint(o.color, stderr), out_paint(o.color, stdout);
    auto t0 = std::chrono::steady_clock::now();
    // Ctrl-C from here on stops the hunt (after loading, before or while
    // reading) and prints what was found.
    g_interrupted = false;
    auto old_handler = std::signal(SIGINT, on_sigint);
    struct RestoreSignal {
        void (*h)(int);
        ~RestoreSignal() { std::signal(SIGINT, h); }
    } restore{old_handler};
    int min_level = -1;
    if (!o.min_level.empty()) min_level = level_rank(o.min_level);

    std::string cache_dir = o.no_cache ? std::string() : default_cache_dir();
    // The rule set and the compiled rules live until the process exits and
    // are not freed: tearing down thousands of expression trees costs more
    // than the rest of a small hunt's output. They are held by volatile
    // statics so leak checkers see them as reachable: a plain static that
    // nothing reads again is a dead store the optimizer may drop, and then
    // LeakSanitizer reports the objects (make test-sanitize did).
    static RuleSet* volatile kept_rules = nullptr;
    static std::shared_ptr<const CompiledRuleSet>* volatile kept_compiled = nullptr;
    kept_rules = new RuleSet();
    RuleSet& set = *kept_rules;
    RuleCacheStats rule_cache = load_rules_cached(o.rules, cache_dir, set);
    size_t load_errors = 0;
    for (auto& d : set.diagnostics) load_errors += d.severity == Severity::Error;
    Diagnostics compile_diags;
    size_t rejected = 0;
    if (!apply_hunt_pipelines(o.pipelines, set.rules, compile_diags, &rejected)) {
        print_diagnostics(compile_diags, err_paint, 20);
        return kUsage;
    }
    // The log files are listed before compiling: their total size is one
    // input of the prefilter engine's choice (EngineOptions).
    std::vector<std::string> files;
    Diagnostics path_diags;
    collect_log_files(o.logs, files, path_diags);
    print_diagnostics(path_diags, err_paint, 20);
    if (files.empty()) {
        std::fprintf(stderr, "%s: no log files (.evtx, .json, .jsonl) found\n",
                     err_paint.severity(Severity::Error).c_str());
        return kRuntime;
    }
    uint64_t input_bytes = 0;
    for (auto& f : files) {
        std::error_code ec;
        uint64_t n = std::filesystem::file_size(f, ec);
        if (!ec) input_bytes += n;
    }
    EngineOptions eo;
    eo.logsource_gate = !o.no_gate;
    eo.prefilter = !o.no_prefilter;
    eo.cache_dir = cache_dir;
    // The compiled tables are cached beside the rules when the rules are
    // exactly what the rule files say (no pipeline rewrote them).
    if (rule_cache.used && o.pipelines.empty()) {
        eo.tables_file = rule_cache.file + ".tables";
        eo.tables_key = rule_cache.key;
    }
    eo.expected_input_bytes = input_bytes;
    eo.prefilter_engine = o.prefilter_engine == "hyperscan" ? PrefilterEngine::Hyperscan
                          : o.prefilter_engine == "scanner" ? PrefilterEngine::Scanner
                                                            : PrefilterEngine::Auto;
    kept_compiled = new std::shared_ptr<const CompiledRuleSet>(
        CompiledRuleSet::compile(set.rules, compile_diags, eo));
    const auto& compiled = *kept_compiled;
    const auto& st = compiled->stats();
    if (!o.quiet) {
        std::fprintf(stderr,
                     "loaded %zu rules (%zu detection, %zu correlation) from %zu files; %zu failed "
                     "to load%s",
                     st.detection_rules + st.correlation_rules, st.detection_rules,
                     st.correlation_rules, set.stats.files, set.stats.rules_failed,
                     set.stats.rules_failed ? " (run `sigil check` for details)" : "");
        if (!o.pipelines.empty()) std::fprintf(stderr, "; %zu left out by pipelines", rejected);
        std::fprintf(stderr, "\n");
        print_diagnostics(compile_diags, err_paint, 10);
    }
    if (st.detection_rules + st.correlation_rules == 0) {
        std::fprintf(stderr, "%s: no rule to run\n", err_paint.severity(Severity::Error).c_str());
        return kRuntime;
    }

    HuntOptions ho;
    ho.threads = std::max(1u, o.threads);
    parse_json_layout(o.json_layout, ho.read.json_layout);
    ho.min_level = min_level;
    std::string format = o.format;
    if (format == "auto") format = isatty(STDOUT_FILENO) ? "table" : "csv";
    ho.keep_events = format == "jsonl";
    bool tty = isatty(STDERR_FILENO);
    if (tty && !o.quiet) {
        ho.progress = [t0](uint64_t done, uint64_t total, uint64_t events, uint64_t bytes) {
            double secs =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            int w = 30;
            int fill = total ? int(double(done) / double(total) * w) : w;
            std::string bar(size_t(fill), '=');
            bar += std::string(size_t(w - fill), ' ');
            std::fprintf(stderr, "\r[%s] %llu/%llu files  %llu events  %.1f MB/s ", bar.c_str(),
                         (unsigned long long)done, (unsigned long long)total,
                         (unsigned long long)events, secs > 0 ? double(bytes) / 1e6 / secs : 0.0);
            std::fflush(stderr);
        };
    }
    ho.cancel = &g_interrupted;
    HuntResult res = hunt(compiled, files, ho);
    if (ho.progress) std::fprintf(stderr, "\r\x1b[K");
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    if (format == "table")
        print_table(res, set.rules, out_paint);
    else if (format == "jsonl")
        print_jsonl(res, set.rules);
    else
        print_csv(res, set.rules);
    std::fflush(stdout);
    if (!o.quiet) {
        print_diagnostics(res.diagnostics, err_paint, 20);
        print_summary(res, set.rules, secs, err_paint);
        EngineCacheStats cs = compiled->cache_stats();
        std::fprintf(stderr,
                     "prefilter: %zu groups on sigil's scanner (%zu moved to Hyperscan), Hyperscan "
                     "databases %zu compiled, %zu from the cache\n",
                     cs.scanners, cs.switched, cs.built, cs.loaded);
    }
    if (res.cancelled) return 130;
    if (res.files_failed == res.files) return kRuntime;
    return kOk;
}

}  // namespace

void register_hunt(CLI::App& app, int& rc) {
    auto o = std::make_shared<HuntCliOptions>();
    auto* sub = app.add_subcommand(
        "hunt",
        "Run detection and correlation rules over event logs (.evtx, .json, .jsonl) and print a\n"
        "timeline of the detections on stdout and a summary on stderr.\n"
        "Rules whose log source maps to Windows channels/event ids (data/logsource_map.tsv) only\n"
        "see those events; rules with an unmapped log source see every event.\n"
        "Exit status: 0 done, 2 usage error, 3 nothing could be read, 130 interrupted (Ctrl-C\n"
        "prints what was found so far).");
    // -r and -p take one value per occurrence and may be repeated
    // (allow_extra_args false; expected(1) would cap the total at one): a
    // vector option would otherwise swallow the LOGS positionals that follow
    // it, and `hunt -r R LOGS --format csv` would fail.
    sub->add_option("-r,--rules", o->rules, "Rule file or directory (repeat -r for more)")
        ->required()
        ->allow_extra_args(false);
    sub->add_option("-p,--pipeline", o->pipelines,
                    "Processing pipeline applied to the rules first: a built-in name (e.g.\n"
                    "windows-audit: process_creation rules on Security 4688) or a pySigma YAML\n"
                    "file (repeatable)")
        ->allow_extra_args(false);
    sub->add_option("--min-level", o->min_level, "Report only rules of this level or higher")
        ->check(CLI::IsMember({"informational", "low", "medium", "high", "critical"}));
    sub->add_option("--format", o->format,
                    "Output: table (default on a terminal), csv (default otherwise), jsonl")
        ->check(CLI::IsMember({"auto", "table", "csv", "jsonl"}));
    sub->add_option("-j,--jobs", o->threads, "Files read in parallel")->check(CLI::Range(1u, 256u));
    sub->add_option("--json-layout", o->json_layout,
                    "Field naming of JSON input: auto (per document), evtx (evtx_dump), flat, ecs")
        ->check(CLI::IsMember({"auto", "evtx", "flat", "ecs"}));
    sub->add_option("--color", o->color, "Colour output")
        ->check(CLI::IsMember({"auto", "always", "never"}));
    sub->add_flag("-q,--quiet", o->quiet, "No summary, progress or diagnostics on stderr");
    sub->add_flag("--no-gate", o->no_gate, "Run every rule on every event (ignore log sources)");
    sub->add_flag("--no-prefilter", o->no_prefilter,
                  "Confirm every rule without the literal prefilter");
    sub->add_option("--prefilter", o->prefilter_engine,
                    "Literal prefilter engine: auto (default: Hyperscan when its databases are\n"
                    "cached or the logs are large, else sigil's own scanner, which builds in\n"
                    "milliseconds), hyperscan, scanner. Detections are the same")
        ->check(CLI::IsMember({"auto", "hyperscan", "scanner"}));
    sub->add_flag("--no-cache", o->no_cache,
                  "Neither read nor write the cache of parsed rules and compiled prefilter\n"
                  "databases ($XDG_CACHE_HOME/sigil or ~/.cache/sigil)");
    sub->add_option("logs", o->logs, "Log files or directories")->required();
    sub->callback([o, &rc] { rc = run_hunt(*o); });
}

}  // namespace sigil::cli
