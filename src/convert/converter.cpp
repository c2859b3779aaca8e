// convert/converter.cpp — the Converter: target registry, pipeline chain
// (the target's own pipeline first, then the user's by priority), per-rule
// conversion with located errors, output formats and finalizers.
#include <algorithm>

#include "convert/target.h"

namespace sigil {

std::unique_ptr<Target> make_splunk_target();
std::unique_ptr<Target> make_es_qs_target();
std::unique_ptr<Target> make_kibana_target();
std::unique_ptr<Target> make_graylog_target();
std::unique_ptr<Target> make_lucene_target();
std::unique_ptr<Target> make_watcher_target();
std::unique_ptr<Target> make_esdsl_target();
std::unique_ptr<Target> make_logpoint_target();
std::unique_ptr<Target> make_powershell_target();
std::unique_ptr<Target> make_grep_target();
std::unique_ptr<Target> make_sql_target(const std::string& name);
std::unique_ptr<Target> make_eql_target();
std::unique_ptr<Target> make_esql_target();
std::unique_ptr<Target> make_kql_target();

std::vector<std::string> convert_targets() {
    return {"splunk",   "kibana",     "es-qs", "esdsl", "watcher", "graylog",
            "logpoint", "powershell", "grep",  "sql",   "sqlite",  "postgres",
            "eql",      "esql",       "kql",   "lucene"};
}

std::unique_ptr<Target> make_target(const std::string& n) {
    if (n == "splunk") return make_splunk_target();
    if (n == "kibana") return make_kibana_target();
    if (n == "es-qs") return make_es_qs_target();
    if (n == "esdsl") return make_esdsl_target();
    if (n == "watcher" || n == "xpack-watcher") return make_watcher_target();
    if (n == "graylog") return make_graylog_target();
    if (n == "logpoint") return make_logpoint_target();
    if (n == "powershell") return make_powershell_target();
    if (n == "grep") return make_grep_target();
    if (n == "sql" || n == "sqlite" || n == "postgres") return make_sql_target(n);
    if (n == "eql") return make_eql_target();
    if (n == "esql") return make_esql_target();
    if (n == "kql") return make_kql_target();
    if (n == "lucene") return make_lucene_target();
    return nullptr;
}

std::vector<std::string> convert_formats(const std::string& target) {
    auto t = make_target(target);
    return t ? t->formats() : std::vector<std::string>{};
}

Converter::~Converter() = default;

std::unique_ptr<Converter> Converter::create(const ConvertOptions& opts, Diagnostics& diags) {
    auto bad = [&](const std::string& code, const std::string& msg) {
        Diagnostic d;
        d.code = code;
        d.message = msg;
        diags.push_back(d);
        return nullptr;
    };
    std::unique_ptr<Converter> c(new Converter());
    c->target_name_ = opts.target;
    c->target_ = make_target(opts.target);
    if (!c->target_) return bad("convert.target.unknown", "unknown target '" + opts.target + "'");
    auto fmts = c->target_->formats();
    c->format_ = opts.format.empty() ? fmts.front() : opts.format;
    if (std::find(fmts.begin(), fmts.end(), c->format_) == fmts.end()) {
        std::string all;
        for (auto& f : fmts) all += (all.empty() ? "" : ", ") + f;
        return bad("convert.format.unknown", "target " + opts.target + " has no format '" +
                                                 c->format_ + "' (formats: " + all + ")");
    }
    auto names = c->target_->option_names();
    for (auto& [k, v] : opts.options)
        if (std::find(names.begin(), names.end(), k) == names.end())
            return bad("convert.option.unknown",
                       "target " + opts.target + " has no option '" + k + "'");
    c->options_ = opts.options;
    auto topts = opts.options;
    topts["__format"] = c->format_;
    c->target_->set_options(topts);

    std::vector<PipelinePtr> backend, user;
    if (opts.default_pipelines)
        for (auto& n : c->target_->default_pipelines()) {
            auto p = builtin_pipeline(n);
            if (p) backend.push_back(p);
        }
    size_t before = diags.size();
    for (auto& n : opts.pipelines) {
        auto p = resolve_pipeline(n, diags);
        if (!p) continue;
        if (!p->allowed_backends.empty() &&
            std::find(p->allowed_backends.begin(), p->allowed_backends.end(), opts.target) ==
                p->allowed_backends.end()) {
            return bad("pipeline.backend.not_allowed",
                       "pipeline '" + n + "' does not allow target " + opts.target);
        }
        user.push_back(p);
    }
    for (size_t i = before; i < diags.size(); ++i)
        if (diags[i].severity == Severity::Error) return nullptr;
    c->chain_ = PipelineChain::merge(user, backend);
    for (auto& p : c->chain_.pipelines) {
        c->has_postprocessing_ |= !p->postprocessing.empty();
        c->has_finalizers_ |= !p->finalizers.empty();
    }
    return c;
}

namespace {
Diagnostic rule_error(const Rule& rule, const std::string& code, const std::string& msg) {
    const std::string& who = rule.title.empty() ? rule.id : rule.title;
    Diagnostic d;
    d.code = code;
    d.message = "rule '" + who + "': " + msg;
    d.loc = rule.loc;
    d.rule = who;
    return d;
}
}  // namespace

bool Converter::precheck(const Rule& rule, RuleConversion& rc) const {
    rc.rule = &rule;
    // A filter document has no query of its own: the loader applies it to the
    // rules it names. A correlation would need the target's aggregation
    // language; no target writes one yet, so it is an unsupported feature of
    // the rule (an error, or counted with --skip-unsupported), never dropped
    // silently. Its base rules are converted as rules of their own.
    if (rule.kind == RuleKind::Filter) {
        rc.skipped = true;
        return false;
    }
    if (rule.kind == RuleKind::Correlation) {
        std::string type = rule.correlation ? Correlation::type_name(rule.correlation->type) : "";
        rc.errors.push_back(rule_error(
            rule, "convert.unsupported.correlation",
            "correlation rules" + (type.empty() ? std::string() : " (" + type + ")") +
                " are not converted by the " + std::string(target()) +
                " target; their base rules are"));
        return false;
    }
    if (rule.conditions.empty()) {
        rc.errors.push_back(rule_error(rule, "convert.rule.empty", "rule has no condition"));
        return false;
    }
    return true;
}

void Converter::convert_processed(const Rule& rule, const ProcessedRule& pr,
                                  RuleConversion& rc) const {
    if (!pr.errors.empty()) {
        const std::string& who = rule.title.empty() ? rule.id : rule.title;
        for (auto& e : pr.errors) {
            Diagnostic d = e;
            d.message = "rule '" + who + "': " + e.message;
            if (!d.loc.file) d.loc = rule.loc;
            d.rule = who;
            rc.errors.push_back(d);
        }
        return;
    }
    TargetOutput out = target_->convert(pr);
    if (out.error) {
        rc.errors.push_back(rule_error(rule, out.error->code, out.error->message));
        return;
    }
    if (has_postprocessing_)
        for (auto& q : out.queries) q = postprocess_query(q, pr, chain_);
    if (format_ == "json") {
        for (size_t i = 0; i < out.queries.size(); ++i) {
            nlohmann::ordered_json j;
            j["id"] = rule.id;
            j["title"] = rule.title;
            if (rule.loc.file) j["path"] = *rule.loc.file;
            j["query"] = out.queries[i];
            if (out.queries.size() > 1) j["condition"] = i;
            rc.queries.push_back(j.dump());
        }
        return;
    }
    rc.queries = target_->format_rule(pr, std::move(out.queries), format_);
}

RuleConversion Converter::convert(const Rule& rule) const {
    RuleConversion rc;
    if (!precheck(rule, rc)) return rc;
    ProcessedRule pr = apply_pipelines(rule, chain_);
    convert_processed(rule, pr, rc);
    return rc;
}

std::string Converter::finalize(const std::vector<RuleConversion>& results) const {
    std::string out;
    if (has_finalizers_) {
        std::vector<std::string> copies;
        for (auto& r : results)
            if (r.ok())
                for (auto& q : r.queries) copies.push_back(q);
        if (finalize_queries(copies, chain_, out)) return out;
    }
    std::vector<std::string_view> items;
    items.reserve(results.size());
    size_t bytes = 0;
    for (auto& r : results)
        if (r.ok())
            for (auto& q : r.queries) {
                items.push_back(q);
                bytes += q.size() + 3;
            }
    if (format_ == "json") {
        out.reserve(bytes + 8);
        out = "[";
        for (size_t i = 0; i < items.size(); ++i) {
            out += i ? ",\n " : "\n ";
            out += items[i];
        }
        out += items.empty() ? "]\n" : "\n]\n";
        return out;
    }
    return target_->finalize_output(items, format_);
}

}  // namespace sigil

namespace sigil {

ConverterSet::~ConverterSet() = default;

/* Two chains are the same when they hold the same pipeline objects in the
 * same order with the same merged vars: built-in pipelines are loaded once
 * per process, so every target naming ecs-windows gets the same object;
 * pipelines loaded from files are separate objects per target and are
 * simply not shared (correct, only slower). */
static bool same_chain(const PipelineChain& a, const PipelineChain& b) {
    return a.pipelines == b.pipelines && a.vars == b.vars;
}

std::unique_ptr<ConverterSet> ConverterSet::create(const std::vector<ConvertOptions>& opts,
                                                   Diagnostics& diags) {
    std::unique_ptr<ConverterSet> s(new ConverterSet());
    for (auto& o : opts) {
        auto c = Converter::create(o, diags);
        if (!c) return nullptr;
        s->converters_.push_back(std::move(c));
    }
    for (size_t i = 0; i < s->converters_.size(); ++i) {
        const PipelineChain& ch = s->converters_[i]->chain_;
        auto g = std::find_if(s->groups_.begin(), s->groups_.end(), [&](const auto& grp) {
            return same_chain(s->converters_[grp[0]]->chain_, ch);
        });
        if (g == s->groups_.end())
            s->groups_.push_back({i});
        else
            g->push_back(i);
    }
    return s;
}

std::vector<RuleConversion> ConverterSet::convert(const Rule& rule) const {
    std::vector<RuleConversion> out(converters_.size());
    if (converters_.empty()) return out;
    // the rule checks do not depend on the target: decided once
    if (!converters_[0]->precheck(rule, out[0])) {
        // the verdict does not depend on the target, but a message may name it
        for (size_t i = 1; i < out.size(); ++i) converters_[i]->precheck(rule, out[i]);
        return out;
    }
    for (auto& grp : groups_) {
        ProcessedRule pr = apply_pipelines(rule, converters_[grp[0]]->chain_);
        for (size_t i : grp) {
            out[i].rule = &rule;
            converters_[i]->convert_processed(rule, pr, out[i]);
        }
    }
    return out;
}

}  // namespace sigil
