// engine/hunt.cpp — runs a compiled rule set over log files on N threads
// (one RuleMatcher and one CorrelationState per thread), then correlations
// over all detections (sigil/hunt.h).
#include "sigil/hunt.h"

#include <algorithm>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <thread>

#if __has_include("sigil/evtx.h")
#include "sigil/evtx.h"
#define SIGIL_HAVE_EVTX 1
#endif

namespace sigil {

namespace fs = std::filesystem;

bool evtx_supported() {
#ifdef SIGIL_HAVE_EVTX
    return true;
#else
    return false;
#endif
}

namespace {

bool is_log_extension(const fs::path& p) {
    std::string e = p.extension().string();
    for (auto& c : e) c = char(std::tolower((unsigned char)c));
    return e == ".evtx" || e == ".json" || e == ".jsonl" || e == ".ndjson";
}

bool is_evtx(const std::string& path) {
    std::string e = fs::path(path).extension().string();
    for (auto& c : e) c = char(std::tolower((unsigned char)c));
    return e == ".evtx";
}

std::string iso_time(int64_t ms) {
    std::time_t secs = std::time_t(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    int rem = int(ms - int64_t(secs) * 1000);
    std::tm t{};
    gmtime_r(&secs, &t);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", t.tm_year + 1900,
                  t.tm_mon + 1, t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, rem);
    return buf;
}

std::string first_value(const Event& ev, std::string_view name) {
    const EventField* f = ev.find(name);
    return f && !f->is_null ? std::string(f->value) : std::string();
}

}  // namespace

void collect_log_files(const std::vector<std::string>& paths, std::vector<std::string>& files,
                       Diagnostics& diags) {
    for (auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            std::vector<std::string> found;
            for (auto it = fs::recursive_directory_iterator(
                     p, fs::directory_options::skip_permission_denied, ec);
                 !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
                if (it->is_regular_file(ec) && is_log_extension(it->path()))
                    found.push_back(it->path().string());
            std::sort(found.begin(), found.end());
            files.insert(files.end(), found.begin(), found.end());
        } else if (fs::exists(p, ec)) {
            files.push_back(p);
        } else {
            Diagnostic d;
            d.code = "hunt.path.missing";
            d.message = "no such file or directory";
            d.loc.file = std::make_shared<const std::string>(p);
            diags.push_back(d);
        }
    }
}

LogReadStats read_log_file(const std::string& path, const EventSink& sink, Diagnostics& diags,
                           const LogReadOptions& opts) {
    LogReadStats out;
    if (is_evtx(path)) {
#ifdef SIGIL_HAVE_EVTX
        EvtxStats st = read_evtx_file(path, sink, diags);
        out.events = st.records_read;
        out.bad_records = st.records_failed;
        out.bytes = st.file_bytes;
        out.file_ok = st.file_ok;
        out.stopped = st.stopped;
#else
        Diagnostic d;
        d.code = "hunt.evtx.unsupported";
        d.message = "this build cannot read .evtx files yet (the EVTX reader is not linked in)";
        d.loc.file = std::make_shared<const std::string>(path);
        diags.push_back(d);
        out.file_ok = false;
#endif
        return out;
    }
    JsonReadOptions jo;
    jo.layout = opts.json_layout;
    JsonReadStats st = read_json_file(path, sink, diags, jo);
    out.events = st.events;
    out.bad_records = st.bad_documents;
    out.bytes = st.bytes;
    out.file_ok = st.file_ok;
    out.stopped = st.stopped;
    return out;
}

int level_rank(std::string_view level) {
    static const char* names[] = {"informational", "low", "medium", "high", "critical"};
    for (int i = 0; i < 5; ++i)
        if (level == names[i]) return i;
    return -1;
}

HuntResult hunt(std::shared_ptr<const CompiledRuleSet> rules, const std::vector<std::string>& files,
                const HuntOptions& opts) {
    HuntResult res;
    res.files = files.size();
    const auto& rs = *rules;
    std::vector<int> rank(rs.rules().size());
    for (size_t i = 0; i < rank.size(); ++i) rank[i] = level_rank(rs.rules()[i].level);
    auto reported = [&](uint32_t r) {
        return rs.reported_alone(r) && (opts.min_level < 0 || rank[r] >= opts.min_level);
    };

    struct Worker {
        std::unique_ptr<RuleMatcher> matcher;
        std::unique_ptr<CorrelationState> corr;
        std::vector<HuntHit> hits;
        Diagnostics diags;
        uint64_t files_failed = 0, bad = 0;
    };
    unsigned n =
        std::max(1u, std::min<unsigned>(opts.threads, unsigned(std::max<size_t>(files.size(), 1))));
    std::vector<Worker> workers(n);
    std::atomic<size_t> next{0};
    std::atomic<uint64_t> done{0}, events{0}, bytes{0};
    std::atomic<bool> stop{false};

    auto work = [&](Worker& w) {
        w.matcher = std::make_unique<RuleMatcher>(rules);
        w.corr = std::make_unique<CorrelationState>(rules);
        std::vector<uint32_t> matched;
        while (!stop) {
            size_t i = next++;
            if (i >= files.size()) break;
            uint64_t local = 0;
            EventSink sink = [&](const Event& ev) {
                matched.clear();
                w.matcher->match(ev, matched);
                for (uint32_t r : matched) {
                    if (w.corr->wants(r)) w.corr->add(r, ev, w.diags);
                    if (!reported(r)) continue;
                    HuntHit h;
                    h.rule = r;
                    h.time_unix_ms = ev.time_unix_ms;
                    h.timestamp = ev.time_unix_ms ? iso_time(ev.time_unix_ms) : "";
                    h.computer = first_value(ev, "Computer");
                    h.channel = first_value(ev, "Channel");
                    h.event_id = first_value(ev, "EventID");
                    h.source = std::string(ev.source);
                    h.record_id = ev.record_id;
                    for (auto& f : rs.rule_fields(r)) {
                        const EventField* x = ev.find(f);
                        if (!x || x->is_null) continue;
                        if (!h.details.empty()) h.details += " ¦ ";
                        std::string_view v = x->value;
                        h.details += f + ": ";
                        if (v.size() > opts.max_detail_value) {
                            h.details.append(v.substr(0, opts.max_detail_value));
                            h.details += "…";
                        } else {
                            h.details.append(v);
                        }
                    }
                    if (opts.keep_events)
                        h.event_json = ev.to_json().dump(-1, ' ', false,
                                                         nlohmann::json::error_handler_t::replace);
                    w.hits.push_back(std::move(h));
                }
                if ((++local & 1023) == 0) events += 1024;
                if (opts.cancel && opts.cancel->load(std::memory_order_relaxed)) {
                    stop = true;
                    return false;
                }
                return true;
            };
            LogReadStats st = read_log_file(files[i], sink, w.diags, opts.read);
            events += local & 1023;
            bytes += st.bytes;
            if (!st.file_ok) ++w.files_failed;
            w.bad += st.bad_records;
            ++done;
        }
    };
    std::vector<std::thread> threads;
    for (unsigned t = 0; t < n; ++t) threads.emplace_back(work, std::ref(workers[t]));
    if (opts.progress) {
        while (done.load() < files.size() && !stop.load()) {
            opts.progress(done.load(), files.size(), events.load(), bytes.load());
            for (int k = 0; k < 10 && done.load() < files.size() && !stop.load(); ++k)
                std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
    for (auto& t : threads) t.join();
    if (opts.progress) opts.progress(done.load(), files.size(), events.load(), bytes.load());

    CorrelationState corr(rules);
    for (auto& w : workers) {
        res.hits.insert(res.hits.end(), std::make_move_iterator(w.hits.begin()),
                        std::make_move_iterator(w.hits.end()));
        res.diagnostics.insert(res.diagnostics.end(), w.diags.begin(), w.diags.end());
        res.files_failed += w.files_failed;
        res.bad_records += w.bad;
        res.confirmed += w.matcher ? w.matcher->confirmed() : 0;
        res.events += w.matcher ? w.matcher->events() : 0;
        if (w.corr) corr.merge(*w.corr);
    }
    res.bytes = bytes.load();
    res.cancelled = stop.load();
    for (auto& d : rs.late_diagnostics()) res.diagnostics.push_back(d);
    if (!corr.empty()) {
        for (auto& ch : corr.run(res.diagnostics)) {
            if (opts.min_level >= 0 && rank[ch.rule] < opts.min_level) continue;
            HuntHit h;
            h.rule = ch.rule;
            h.correlation = true;
            h.time_unix_ms = ch.time_unix_ms;
            h.timestamp = ch.time_unix_ms ? iso_time(ch.time_unix_ms) : "";
            h.computer = ch.computer;
            h.channel = ch.channel;
            h.event_id = ch.event_id;
            h.source = ch.source;
            h.record_id = ch.record_id;
            for (auto& [k, v] : ch.group) h.details += k + ": " + v + " ¦ ";
            char buf[64];
            std::snprintf(buf, sizeof buf, "%g", ch.value);
            h.details +=
                std::string(Correlation::type_name(rs.rules()[ch.rule].correlation->type)) + ": " +
                buf + " ¦ events: " + std::to_string(ch.events) +
                " ¦ since: " + (ch.first_unix_ms ? iso_time(ch.first_unix_ms) : "");
            res.hits.push_back(std::move(h));
        }
    }
    std::stable_sort(res.hits.begin(), res.hits.end(), [](const HuntHit& a, const HuntHit& b) {
        if (a.time_unix_ms != b.time_unix_ms) return a.time_unix_ms < b.time_unix_ms;
        if (a.source != b.source) return a.source < b.source;
        if (a.record_id != b.record_id) return a.record_id < b.record_id;
        return a.rule < b.rule;
    });
    return res;
}

}  // namespace sigil
