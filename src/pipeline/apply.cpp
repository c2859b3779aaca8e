// pipeline/apply.cpp — runs a pipeline chain over one IR rule: evaluates each
// item's rule / detection-item / field-name conditions and applies its
// transformation to the rule (logsource, conditions, state, fields) or to
// every matching predicate of Rule::conditions and Rule::detections.
#include <re2/re2.h>

#include <algorithm>
#include <functional>

#include "pipeline/pipeline_internal.h"

namespace sigil {
using pipeline_detail::jbool;
using pipeline_detail::jstr;

using nlohmann::json;
using pipeline_detail::is_rule_transformation;

namespace {

int level_rank(const std::string& s) {
    static const char* l[] = {"informational", "low", "medium", "high", "critical"};
    for (int i = 0; i < 5; ++i)
        if (s == l[i]) return i;
    return -1;
}
int status_rank(const std::string& s) {
    static const char* l[] = {"unsupported", "deprecated", "experimental", "test", "stable"};
    for (int i = 0; i < 5; ++i)
        if (s == l[i]) return i;
    return -1;
}

bool compare_json(const json& a, const json& b, const std::string& op) {
    int c;
    if (a.is_number() && b.is_number()) {
        double x = a.get<double>(), y = b.get<double>();
        c = x < y ? -1 : x > y ? 1 : 0;
    } else {
        std::string x = a.is_string() ? a.get<std::string>() : a.dump();
        std::string y = b.is_string() ? b.get<std::string>() : b.dump();
        c = x.compare(y);
        c = c < 0 ? -1 : c > 0 ? 1 : 0;
    }
    if (op == "eq") return c == 0;
    if (op == "ne") return c != 0;
    if (op == "gte") return c >= 0;
    if (op == "gt") return c > 0;
    if (op == "lte") return c <= 0;
    if (op == "lt") return c < 0;
    return false;
}

bool is_string_op(const Pred& p) {
    switch (p.op) {
        case Op::Eq:
            return p.value.kind == ValueKind::String;
        case Op::Contains:
        case Op::StartsWith:
        case Op::EndsWith:
        case Op::Glob:
            return true;
        default:
            return false;
    }
}

Value json_value(const json& v) {
    if (v.is_boolean()) return Value::boolean(v.get<bool>());
    if (v.is_number_integer()) return Value::integer(v.get<int64_t>());
    if (v.is_number()) return Value::real(v.get<double>());
    if (v.is_string()) return Value::string(v.get<std::string>());
    return Value::null();
}

// Pred for `field: value` written in a pipeline (add_condition, set_value).
Pred pred_from_json(const std::string& field, const json& v) {
    Pred p;
    p.field = field;
    if (v.is_string())
        sigma_string_to_pred(v.get<std::string>(), p);
    else
        p.value = json_value(v);
    return p;
}

struct Run {
    const PipelineChain& chain;
    ProcessedRule& pr;
    std::map<const Pred*, std::set<std::string>> pred_ids;
    std::set<std::string> mapped_fields;
    std::vector<const Pred*> preds_cache;
    bool preds_valid = false;

    void fail(const PipelineItem& it, const std::string& code, const std::string& msg) {
        Diagnostic d;
        d.code = code;
        d.message = msg;
        d.loc = pr.rule.loc;
        pr.errors.push_back(d);
        (void)it;
    }

    const std::vector<const Pred*>& preds() {
        if (!preds_valid) {
            preds_cache.clear();
            for (auto& c : pr.rule.conditions) collect_preds(c, preds_cache);
            preds_valid = true;
        }
        return preds_cache;
    }

    template <class F>
    static bool eval_set(const PipelineConditionSet& cs, const F& f) {
        if (cs.empty()) return true;
        bool st[64];
        int sp = 0;
        for (int op : cs.program) {
            if (op >= 0) {
                if (sp < 64) st[sp++] = f(size_t(op));
            } else if (op == -3) {
                if (sp) st[sp - 1] = !st[sp - 1];
            } else if (sp >= 2) {
                bool b = st[--sp], a = st[--sp];
                st[sp++] = op == -1 ? (a && b) : (a || b);
            }
        }
        return sp ? st[sp - 1] : true;
    }

    // A condition's `type` without copying it (the loader checked it is a string).
    static const std::string& cond_type(const json& def) {
        static const std::string none;
        auto it = def.find("type");
        return it != def.end() && it->is_string() ? it->get_ref<const std::string&>() : none;
    }

    bool state_cond(const json& def) {
        std::string key = jstr(def, "key", "");
        if (!pr.state.contains(key)) return jstr(def, "op", "eq") == "ne";
        return compare_json(pr.state[key], def.contains("val") ? def["val"] : json(nullptr),
                            jstr(def, "op", "eq"));
    }

    json rule_attr(const std::string& a) {
        const Rule& r = pr.rule;
        if (a == "level") return r.level;
        if (a == "status") return r.status;
        if (a == "id") return r.id;
        if (a == "title") return r.title;
        if (a == "name") return r.name;
        if (a == "author") return r.author;
        if (a == "description") return r.description;
        if (a == "date") return r.date;
        if (a == "modified") return r.modified;
        if (a == "license") return r.license;
        if (a == "taxonomy") return r.taxonomy;
        if (a == "tags") return r.tags;
        for (auto& [k, v] : r.custom)
            if (k == a) return v;
        return nullptr;
    }

    bool rule_cond(const json& def) {
        const std::string& t = cond_type(def);
        const Rule& r = pr.rule;
        if (t == "logsource") {
            for (auto* k : {"category", "product", "service"}) {
                if (!def.contains(k) || def[k].is_null()) continue;
                std::string want = def[k].is_string() ? def[k].get<std::string>() : def[k].dump();
                const std::string& have = std::string_view(k) == "category"  ? r.logsource.category
                                          : std::string_view(k) == "product" ? r.logsource.product
                                                                             : r.logsource.service;
                if (want != have) return false;
            }
            return true;
        }
        if (t == "contains_field") {
            std::string f = jstr(def, "field", "");
            for (auto* p : preds())
                if (p->field == f) return true;
            return false;
        }
        if (t == "contains_detection_item") {
            std::string f = jstr(def, "field", "");
            Value want = json_value(def.contains("value") ? def["value"] : json(nullptr));
            for (auto* p : preds())
                if (p->field == f && (p->value == want || (want.kind == ValueKind::String &&
                                                           p->value.text() == want.s)))
                    return true;
            return false;
        }
        if (t == "processing_item_applied")
            return pr.applied_items.count(jstr(def, "processing_item_id", ""));
        if (t == "processing_state") return state_cond(def);
        if (t == "is_sigma_rule") return r.kind == RuleKind::Detection;
        if (t == "is_sigma_correlation_rule") return r.kind == RuleKind::Correlation;
        if (t == "tag") {
            std::string want = jstr(def, "tag", "");
            for (auto& tg : r.tags)
                if (tg.size() == want.size() &&
                    std::equal(tg.begin(), tg.end(), want.begin(), [](char a, char b) {
                        return std::tolower((unsigned char)a) == std::tolower((unsigned char)b);
                    }))
                    return true;
            return false;
        }
        if (t == "rule_attribute") {
            std::string a = jstr(def, "attribute", "");
            std::string op = jstr(def, "op", "eq");
            json have = rule_attr(a);
            json want = def.contains("value") ? def["value"] : json(nullptr);
            if (op == "in" || op == "not_in") {
                bool in = false;
                if (want.is_array())
                    for (auto& w : want) in |= compare_json(have, w, "eq");
                else if (have.is_array())
                    for (auto& h : have) in |= compare_json(h, want, "eq");
                return op == "in" ? in : !in;
            }
            if (have.is_array()) {
                bool any = false;
                for (auto& h : have) any |= compare_json(h, want, "eq");
                return op == "eq" ? any : op == "ne" ? !any : false;
            }
            if ((a == "level" || a == "status") && want.is_string() && have.is_string()) {
                auto rank = a == "level" ? level_rank : status_rank;
                return compare_json(json(rank(have.get<std::string>())),
                                    json(rank(want.get<std::string>())), op);
            }
            return compare_json(have, want, op);
        }
        return false;
    }

    bool det_cond(const PipelineConditionSet& cs, size_t i, const Pred& p) {
        const json& def = cs.conditions[i].second;
        const std::string& t = cond_type(def);
        bool r = false;
        if (t == "match_string") {
            if (is_string_op(p) && cs.regexes[i])
                r = RE2::PartialMatch(pred_to_sigma_string(p), *cs.regexes[i]);
            if (jbool(def, "negate", false)) r = !r;
        } else if (t == "match_value") {
            Value want = json_value(def.contains("value") ? def["value"] : json(nullptr));
            r = p.value == want;
        } else if (t == "contains_wildcard") {
            r = p.op == Op::Glob || p.op == Op::Contains || p.op == Op::StartsWith ||
                p.op == Op::EndsWith;
        } else if (t == "is_null") {
            r = p.op == Op::Eq && p.value.kind == ValueKind::Null;
        } else if (t == "processing_item_applied") {
            auto it = pred_ids.find(&p);
            r = it != pred_ids.end() && it->second.count(jstr(def, "processing_item_id", ""));
        } else if (t == "processing_state") {
            r = state_cond(def);
        }
        return r;
    }

    bool field_cond(const PipelineConditionSet& cs, size_t i, const Pred& p) {
        const json& def = cs.conditions[i].second;
        const std::string& t = cond_type(def);
        if (t == "include_fields" || t == "exclude_fields") {
            bool in = false;
            if (!p.field.empty()) {
                if (cs.regexes[i])
                    in = RE2::PartialMatch(p.field, *cs.regexes[i]);
                else
                    in = std::find(cs.fields[i].begin(), cs.fields[i].end(), p.field) !=
                         cs.fields[i].end();
            }
            return t == "include_fields" ? in : !in;
        }
        if (t == "processing_item_applied") {
            auto it = pred_ids.find(&p);
            return it != pred_ids.end() && it->second.count(jstr(def, "processing_item_id", ""));
        }
        if (t == "processing_state") return state_cond(def);
        return false;
    }

    // ---- predicate-level transformations ---------------------------------

    // Which items changed each predicate, kept only when some item of the
    // chain has a condition that reads it (tracking costs a map of sets).
    bool track_marks = true;

    ExprPtr mark(const ExprPtr& from, ExprPtr to, const PipelineItem& it) {
        if (!to || to == from || !track_marks) return to;
        std::set<std::string> ids;
        auto f = pred_ids.find(from->pred.get());
        if (f != pred_ids.end()) ids = f->second;
        if (!it.id.empty()) ids.insert(it.id);
        std::vector<const Pred*> ps;
        collect_preds(to, ps);
        for (auto* p : ps) pred_ids[p].insert(ids.begin(), ids.end());
        return to;
    }

    /* Memo of one item's rewrite pass, keyed by the input node: a
     * detection shared by several conditions (and listed in
     * Rule::detections) is rewritten once and stays shared. An
     * open-addressing table reused across items and rules of a Run, so a
     * pass allocates nothing for it (a std::map allocated a node per
     * expression node per item). */
    struct Memo {
        std::vector<const Expr*> keys;
        std::vector<ExprPtr> vals;
        std::vector<uint32_t> used;
        size_t mask = 0;
        static size_t slot_of(const Expr* k, size_t mask) {
            return size_t((uintptr_t(k) >> 4) * 0x9E3779B97F4A7C15ull >> 20) & mask;
        }
        void clear() {
            for (uint32_t i : used) {
                keys[i] = nullptr;
                vals[i].reset();
            }
            used.clear();
        }
        const ExprPtr* find(const Expr* k) const {
            if (keys.empty()) return nullptr;
            for (size_t i = slot_of(k, mask);; i = (i + 1) & mask) {
                if (keys[i] == k) return &vals[i];
                if (!keys[i]) return nullptr;
            }
        }
        void put(const Expr* k, ExprPtr v) {
            if ((used.size() + 1) * 2 > keys.size()) grow();
            size_t i = slot_of(k, mask);
            while (keys[i] && keys[i] != k) i = (i + 1) & mask;
            if (!keys[i]) used.push_back(uint32_t(i));
            keys[i] = k;
            vals[i] = std::move(v);
        }
        void grow() {
            std::vector<const Expr*> ok;
            std::vector<ExprPtr> ov;
            ok.swap(keys);
            ov.swap(vals);
            size_t n = ok.empty() ? 64 : ok.size() * 2;
            keys.assign(n, nullptr);
            vals.assign(n, nullptr);
            mask = n - 1;
            used.clear();
            for (size_t i = 0; i < ok.size(); ++i)
                if (ok[i]) put(ok[i], std::move(ov[i]));
        }
    };
    Memo memo;

    template <class F>
    ExprPtr rewrite(const ExprPtr& e, const F& f, bool& changed) {
        if (const ExprPtr* m = memo.find(e.get())) return *m;
        ExprPtr r;
        switch (e->kind) {
            case ExprKind::True:
            case ExprKind::False:
                r = e;
                break;
            case ExprKind::Pred:
                r = f(e);
                if (r != e) changed = true;
                break;
            case ExprKind::Not: {
                ExprPtr k = rewrite(e->kids[0], f, changed);
                r = !k ? nullptr : k == e->kids[0] ? e : Expr::make_not(k);
                break;
            }
            case ExprKind::And:
            case ExprKind::Or: {
                std::vector<ExprPtr> kids;
                bool diff = false;
                size_t i = 0;
                for (; i < e->kids.size(); ++i) {  // unchanged prefix: no copies
                    ExprPtr n = rewrite(e->kids[i], f, changed);
                    if (n == e->kids[i]) continue;
                    diff = true;
                    kids.reserve(e->kids.size());
                    kids.assign(e->kids.begin(), e->kids.begin() + i);
                    if (n) kids.push_back(std::move(n));
                    ++i;
                    break;
                }
                for (; i < e->kids.size(); ++i) {
                    ExprPtr n = rewrite(e->kids[i], f, changed);
                    if (n) kids.push_back(std::move(n));
                }
                if (!diff)
                    r = e;
                else if (kids.empty())
                    r = nullptr;
                else
                    r = e->kind == ExprKind::And ? Expr::make_and(std::move(kids))
                                                 : Expr::make_or(std::move(kids));
                break;
            }
        }
        memo.put(e.get(), r);
        return r;
    }

    // Only strict_field_mapping_failure reads mapped_fields; without one in
    // the chain the set is not kept (an insert per mapped predicate).
    bool track_mapped = true;

    static void no_extra(Pred&) {}
    template <class X = void (*)(Pred&)>
    ExprPtr copies(const Pred& p, const std::vector<std::string>& fields, X extra = no_extra) {
        if (fields.size() == 1) {  // Expr::make_or of one child is the child
            Pred q = p;
            q.field = fields[0];
            extra(q);
            if (track_mapped) mapped_fields.insert(q.field);
            return Expr::make_pred(std::move(q));
        }
        std::vector<ExprPtr> v;
        v.reserve(fields.size());
        for (auto& f : fields) {
            Pred q = p;
            q.field = f;
            extra(q);
            if (track_mapped) mapped_fields.insert(f);
            v.push_back(Expr::make_pred(std::move(q)));
        }
        if (v.empty()) return nullptr;
        return Expr::make_or(std::move(v));
    }

    // field_name_prefix / _suffix: what copies(p, {affixed field}) builds (the
    // one renamed predicate), without the temporary field list.
    ExprPtr renamed(const Pred& p, const std::string& a, bool prefix) {
        Pred q = p;
        if (prefix)
            q.field.insert(0, a);
        else
            q.field += a;
        if (track_mapped) mapped_fields.insert(q.field);
        return Expr::make_pred(std::move(q));
    }
    static void keyword_to_substring(Pred& q) {
        if (q.op == Op::Eq && q.value.kind == ValueKind::String) {
            q.op = Op::Contains;
        } else if (q.op == Op::StartsWith || q.op == Op::EndsWith) {
            q.op = Op::Contains;
        } else if (q.op == Op::Glob) {
            std::string s = q.value.s;
            if (s.empty() || s[0] != '*') s = "*" + s;
            bool esc_end = s.size() >= 2 && s[s.size() - 2] == '\\';
            if (s.back() != '*' || esc_end) s += "*";
            sigma_string_to_pred(s, q);
        } else if (q.op == Op::Eq && q.value.is_number()) {
            q.value = Value::string(q.value.text());
            q.op = Op::Contains;
        }
    }

    // Splits a placeholder value into literal text and `%name%` names.
    struct Seg {
        bool ph;
        std::string text;
    };
    static std::vector<Seg> placeholder_segments(const std::string& s) {
        std::vector<Seg> out;
        std::string lit;
        for (size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '\\' && i + 1 < s.size() && s[i + 1] == '%') {
                lit += "\\%";
                ++i;
            } else if (s[i] == '%') {
                size_t j = s.find('%', i + 1);
                if (j == std::string::npos || j == i + 1) {
                    lit += s[i];
                    continue;
                }
                if (!lit.empty()) out.push_back({false, lit});
                lit.clear();
                out.push_back({true, s.substr(i + 1, j - i - 1)});
                i = j;
            } else {
                lit += s[i];
            }
        }
        if (!lit.empty()) out.push_back({false, lit});
        return out;
    }

    bool selected(const PipelineItem& it, const std::string& name) {
        auto in = [&](const char* k) {
            if (!it.params.contains(k) || !it.params[k].is_array()) return false;
            for (auto& x : it.params[k])
                if (x.is_string() && x.get<std::string>() == name) return true;
            return false;
        };
        if (it.params.contains("include")) return in("include");
        if (it.params.contains("exclude")) return !in("exclude");
        return true;
    }

    // Rebuilds a predicate from a resolved placeholder text.
    static void finish_placeholder_value(Pred& q, std::string text, bool regex) {
        bool remaining = false;
        for (auto& s : placeholder_segments(text)) remaining |= s.ph;
        if (!remaining) {
            std::string t;
            for (size_t i = 0; i < text.size(); ++i) {
                if (text[i] == '\\' && i + 1 < text.size() && text[i + 1] == '%') continue;
                t += text[i];
            }
            text = t;
        }
        q.placeholders = remaining;
        if (regex)
            q.value = Value::string(text);
        else
            sigma_string_to_pred(text, q);
    }

    ExprPtr pred_transform(const PipelineItem& it, const ExprPtr& e) {
        const Pred& p = *e->pred;
        const CompiledItem& c = *it.compiled;
        const std::string& t = it.type;
        using K = CompiledItem::Kind;
        if (c.kind == K::FieldNameMapping) {
            if (p.is_keyword()) {
                if (!c.has_keyword_mapping) return e;
                return mark(e, copies(p, c.keyword_targets, keyword_to_substring), it);
            }
            auto f = c.mapping.find(p.field);
            bool ref = p.op == Op::FieldRef || p.op == Op::FieldRefContains ||
                       p.op == Op::FieldRefStartsWith || p.op == Op::FieldRefEndsWith;
            auto g = ref ? c.mapping.find(p.value.s) : c.mapping.end();
            if (f == c.mapping.end() && g == c.mapping.end()) return e;
            auto ref_target = [&](Pred& q) {
                if (g != c.mapping.end() && !g->second.empty()) q.value.s = g->second[0];
            };
            if (f != c.mapping.end()) return mark(e, copies(p, f->second, ref_target), it);
            std::vector<std::string> same{p.field};
            return mark(e, copies(p, same, ref_target), it);
        }
        if (c.kind == K::FieldNamePrefix || c.kind == K::FieldNameSuffix) {
            if (p.is_keyword()) return e;
            return mark(e, renamed(p, c.affix, c.kind == K::FieldNamePrefix), it);
        }
        if (t == "field_name_prefix_mapping") {
            if (p.is_keyword()) return e;
            for (auto& [pre, dst] : c.mapping) {
                if (p.field.compare(0, pre.size(), pre) == 0) {
                    std::vector<std::string> fields;
                    for (auto& d : dst) fields.push_back(d + p.field.substr(pre.size()));
                    return mark(e, copies(p, fields), it);
                }
            }
            return e;
        }
        if (t == "drop_detection_item") {
            if (!it.id.empty()) pr.applied_items.insert(it.id);
            return nullptr;
        }
        if (t == "detection_item_failure") {
            fail(it, "pipeline.detection_item_failure",
                 jstr(it.params, "message", "detection item failure"));
            return e;
        }
        if (t == "replace_string") {
            bool num = (p.op == Op::Eq && p.value.is_number());
            if (!is_string_op(p) && !num) return e;
            std::string text = pred_to_sigma_string(p);
            std::string repl = it.params["replacement"].is_string()
                                   ? it.params["replacement"].get<std::string>()
                                   : it.params["replacement"].dump();
            // Python \g<n> → RE2 \n; literal wildcards unless interpret_special
            std::string r2;
            for (size_t i = 0; i < repl.size(); ++i) {
                if (repl.compare(i, 3, "\\g<") == 0) {
                    size_t j = repl.find('>', i);
                    if (j != std::string::npos) {
                        r2 += "\\" + repl.substr(i + 3, j - i - 3);
                        i = j;
                        continue;
                    }
                }
                if (!jbool(it.params, "interpret_special", false) &&
                    (repl[i] == '*' || repl[i] == '?'))
                    r2 += "\\\\";
                r2 += repl[i];
            }
            std::string out;
            if (jbool(it.params, "skip_special", false)) {
                // apply to literal runs only
                std::string run;
                auto flush = [&] {
                    if (!run.empty()) RE2::GlobalReplace(&run, *c.regex, r2);
                    out += run;
                    run.clear();
                };
                for (size_t i = 0; i < text.size(); ++i) {
                    if (text[i] == '\\' && i + 1 < text.size()) {
                        run += text.substr(i, 2);
                        ++i;
                    } else if (text[i] == '*' || text[i] == '?') {
                        flush();
                        out += text[i];
                    } else {
                        run += text[i];
                    }
                }
                flush();
            } else {
                out = text;
                if (RE2::GlobalReplace(&out, *c.regex, r2) == 0) return e;
            }
            if (out == text) return e;
            Pred q = p;
            sigma_string_to_pred(out, q);
            return mark(e, Expr::make_pred(std::move(q)), it);
        }
        if (t == "map_string") {
            if (!is_string_op(p)) return e;
            auto f = c.mapping.find(pred_to_sigma_string(p));
            if (f == c.mapping.end()) return e;
            std::vector<ExprPtr> v;
            for (auto& s : f->second) {
                Pred q = p;
                sigma_string_to_pred(s, q);
                v.push_back(Expr::make_pred(std::move(q)));
            }
            return mark(e, Expr::make_or(std::move(v)), it);
        }
        if (t == "value_placeholders" || t == "wildcard_placeholders" ||
            t == "query_expression_placeholders") {
            if (!p.placeholders) return e;
            bool regex = p.op == Op::Regex;
            std::string text = regex ? p.value.s : pred_to_sigma_string(p);
            auto segs = placeholder_segments(text);
            if (t == "query_expression_placeholders") {
                if (segs.size() != 1 || !segs[0].ph || !selected(it, segs[0].text)) {
                    bool any = false;
                    for (auto& s : segs) any |= s.ph && selected(it, s.text);
                    if (any)
                        fail(it, "pipeline.placeholder.mixed",
                             "query expression placeholders must be the whole value ('" + text +
                                 "')");
                    return e;
                }
                std::string name = segs[0].text, id = name;
                if (it.params.contains("mapping") && it.params["mapping"].is_object() &&
                    it.params["mapping"].contains(name) && it.params["mapping"][name].is_string())
                    id = it.params["mapping"][name];
                Pred q = p;
                q.placeholders = false;
                q.op = Op::Eq;
                q.value = Value::string("%" + name + "%");
                ExprPtr ne = Expr::make_pred(std::move(q));
                std::string expr = it.params["expression"].is_string()
                                       ? it.params["expression"].get<std::string>()
                                       : "";
                std::string filled;
                for (size_t i = 0; i < expr.size(); ++i) {
                    if (expr.compare(i, 4, "{id}") == 0) {
                        filled += id;
                        i += 3;
                    } else {
                        filled += expr[i];
                    }
                }
                pr.query_expressions[ne->pred.get()] = filled;
                return mark(e, ne, it);
            }
            // value / wildcard placeholders: cartesian product over the values
            std::vector<std::string> texts{""};
            bool touched = false;
            for (auto& s : segs) {
                if (!s.ph || !selected(it, s.text)) {
                    for (auto& x : texts) x += s.ph ? "%" + s.text + "%" : s.text;
                    continue;
                }
                touched = true;
                std::vector<std::string> vals;
                if (t == "wildcard_placeholders") {
                    vals.push_back(regex ? ".*" : "*");
                } else {
                    if (!chain.vars.contains(s.text)) {
                        fail(it, "pipeline.placeholder.unknown",
                             "no pipeline variable for placeholder %" + s.text + "%");
                        return e;
                    }
                    const json& v = chain.vars[s.text];
                    auto str = [](const json& x) {
                        return x.is_string() ? x.get<std::string>() : x.dump();
                    };
                    if (v.is_array())
                        for (auto& x : v) vals.push_back(str(x));
                    else
                        vals.push_back(str(v));
                }
                std::vector<std::string> next;
                for (auto& x : texts)
                    for (auto& v : vals) next.push_back(x + v);
                texts.swap(next);
                if (texts.size() > 4096) {
                    fail(it, "pipeline.placeholder.too_many",
                         "placeholder expansion over 4096 values");
                    return e;
                }
            }
            if (!touched) return e;
            std::vector<ExprPtr> v;
            for (auto& x : texts) {
                Pred q = p;
                finish_placeholder_value(q, x, regex);
                v.push_back(Expr::make_pred(std::move(q)));
            }
            return mark(e, v.empty() ? Expr::make_false() : Expr::make_or(std::move(v)), it);
        }
        if (t == "case") {
            if (!is_string_op(p)) return e;
            std::string m = jstr(it.params, "method", "lower");
            Pred q = p;
            std::string& s = q.value.s;
            if (m == "lower") {
                for (auto& ch : s) ch = char(std::tolower((unsigned char)ch));
            } else if (m == "upper") {
                for (auto& ch : s) ch = char(std::toupper((unsigned char)ch));
            } else {
                std::string o;
                for (size_t i = 0; i < s.size(); ++i) {
                    char ch = s[i];
                    if (std::isupper((unsigned char)ch)) {
                        if (i && !o.empty() && o.back() != '_') o += '_';
                        o += char(std::tolower((unsigned char)ch));
                    } else if (ch == ' ' || ch == '-') {
                        o += '_';
                    } else {
                        o += ch;
                    }
                }
                s = o;
            }
            if (q.value.s == p.value.s) return e;
            return mark(e, Expr::make_pred(std::move(q)), it);
        }
        if (t == "set_value") {
            if (p.is_keyword()) return e;
            json v = it.params["value"];
            std::string force = jstr(it.params, "force_type", "");
            if (force == "str" && !v.is_string()) v = v.is_string() ? v : json(v.dump());
            if (force == "num" && v.is_string()) {
                try {
                    size_t n;
                    double d = std::stod(v.get<std::string>(), &n);
                    int64_t whole = 0;
                    v = exact_int64(d, whole) ? json(whole) : json(d);
                } catch (...) {
                }
            }
            Pred q = pred_from_json(p.field, v);
            q.cased = p.cased;
            return mark(e, Expr::make_pred(std::move(q)), it);
        }
        if (t == "convert_type") {
            std::string tt = jstr(it.params, "target_type", "str");
            Pred q = p;
            if (tt == "str" && p.op == Op::Eq && p.value.is_number()) {
                q.value = Value::string(p.value.text());
            } else if (tt == "num" && p.op == Op::Eq && p.value.kind == ValueKind::String) {
                const std::string& s = p.value.s;
                char* end = nullptr;
                long long iv = std::strtoll(s.c_str(), &end, 10);
                if (!s.empty() && end && *end == 0) {
                    q.value = Value::integer(iv);
                } else {
                    double dv = std::strtod(s.c_str(), &end);
                    if (s.empty() || !end || *end) {
                        fail(it, "pipeline.convert_type", "value '" + s + "' is not a number");
                        return e;
                    }
                    q.value = Value::real(dv);
                }
            } else {
                return e;
            }
            return mark(e, Expr::make_pred(std::move(q)), it);
        }
        return e;
    }

    /* A field_name_mapping item whose mapping names none of the rule's
     * fields (nor keywords, nor field-reference targets) returns every
     * predicate unchanged, so the rewrite of the rule's expressions is
     * skipped: most mapping items of a large pipeline (one per log source)
     * concern fields a given rule does not use. The check covers the
     * predicates of the conditions and of the named detections. */
    std::vector<const Pred*> all_preds_cache;
    bool all_preds_valid = false;
    bool mapping_misses(const PipelineItem& it) {
        if (it.type != "field_name_mapping" || !it.compiled) return false;
        if (!all_preds_valid) {
            all_preds_cache.clear();
            for (auto& c : pr.rule.conditions) collect_preds(c, all_preds_cache);
            for (auto& [name, d] : pr.rule.detections)
                if (d) collect_preds(d, all_preds_cache);
            all_preds_valid = true;
        }
        const CompiledItem& c = *it.compiled;
        for (const Pred* p : all_preds_cache) {
            if (p->is_keyword()) {
                if (c.has_keyword_mapping) return false;
                continue;
            }
            if (c.mapping.count(p->field)) return false;
            bool ref = p->op == Op::FieldRef || p->op == Op::FieldRefContains ||
                       p->op == Op::FieldRefStartsWith || p->op == Op::FieldRefEndsWith;
            if (ref && c.mapping.count(p->value.s)) return false;
        }
        return true;
    }

    void apply_pred_item(const PipelineItem& it) {
        if (mapping_misses(it)) {
            rename_fields(it);
            return;
        }
        all_preds_valid = false;
        bool changed = false;
        memo.clear();
        auto f = [&](const ExprPtr& e) -> ExprPtr {
            const Pred& p = *e->pred;
            if (!eval_set(it.detection_item_conditions,
                          [&](size_t i) { return det_cond(it.detection_item_conditions, i, p); }))
                return e;
            if (!eval_set(it.field_name_conditions,
                          [&](size_t i) { return field_cond(it.field_name_conditions, i, p); }))
                return e;
            return pred_transform(it, e);
        };
        for (auto& c : pr.rule.conditions) {
            ExprPtr n = rewrite(c, f, changed);
            if (!n) {
                fail(it, "pipeline.condition.dropped",
                     "the pipeline dropped every detection item of a condition");
                return;
            }
            c = n;
        }
        for (auto& [name, d] : pr.rule.detections) {
            if (!d) continue;
            ExprPtr n = rewrite(d, f, changed);
            d = n ? n : Expr::make_true();
        }
        if (changed) {
            preds_valid = false;
            if (!it.id.empty()) pr.applied_items.insert(it.id);
        }
        rename_fields(it);
    }

    void rename_fields(const PipelineItem& it) {
        // field_name_mapping also renames the rule's `fields:` list
        if (it.type == "field_name_mapping" || it.type == "field_name_prefix" ||
            it.type == "field_name_suffix") {
            std::vector<std::string> nf;
            for (auto& f0 : pr.rule.fields) {
                if (it.type == "field_name_mapping") {
                    auto m = it.compiled->mapping.find(f0);
                    if (m != it.compiled->mapping.end())
                        nf.insert(nf.end(), m->second.begin(), m->second.end());
                    else
                        nf.push_back(f0);
                } else if (it.type == "field_name_prefix") {
                    nf.push_back(jstr(it.params, "prefix", "") + f0);
                } else {
                    nf.push_back(f0 + jstr(it.params, "suffix", ""));
                }
            }
            pr.rule.fields = nf;
        }
    }

    // ---- rule-level transformations --------------------------------------

    void apply_rule_item(const PipelineItem& it) {
        const std::string& t = it.type;
        Rule& r = pr.rule;
        if (t == "add_condition") {
            bool tmpl = jbool(it.params, "template", false);
            auto subst = [&](std::string s) {
                if (!tmpl) return s;
                for (auto [k, v] :
                     {std::pair<std::string, std::string>{"$category", r.logsource.category},
                      {"$product", r.logsource.product},
                      {"$service", r.logsource.service}}) {
                    size_t pos;
                    while ((pos = s.find(k)) != std::string::npos) s.replace(pos, k.size(), v);
                }
                return s;
            };
            std::vector<ExprPtr> parts;
            for (auto c = it.params["conditions"].begin(); c != it.params["conditions"].end();
                 ++c) {
                std::vector<ExprPtr> alts;
                auto one = [&](const json& v) {
                    json vv = v.is_string() ? json(subst(v.get<std::string>())) : v;
                    Pred p = pred_from_json(subst(c.key()), vv);
                    alts.push_back(Expr::make_pred(std::move(p)));
                };
                if (c.value().is_array())
                    for (auto& v : c.value()) one(v);
                else
                    one(c.value());
                parts.push_back(Expr::make_or(std::move(alts)));
            }
            ExprPtr add = Expr::make_and(std::move(parts));
            if (jbool(it.params, "negated", false)) add = Expr::make_not(add);
            for (auto& c : r.conditions) c = Expr::make_and({add, c});
            std::string name = jstr(it.params, "name", "");
            r.detections.push_back({name.empty() ? "_pipeline_condition" : name, add});
            preds_valid = false;
            all_preds_valid = false;
        } else if (t == "change_logsource") {
            auto get = [&](const char* k) {
                return it.params.contains(k) && it.params[k].is_string()
                           ? it.params[k].get<std::string>()
                           : std::string();
            };
            r.logsource.category = get("category");
            r.logsource.product = get("product");
            r.logsource.service = get("service");
        } else if (t == "set_state") {
            pr.state[jstr(it.params, "key", "")] = it.params["val"];
        } else if (t == "rule_failure") {
            fail(it, "pipeline.rule_failure", jstr(it.params, "message", "rule failure"));
        } else if (t == "add_field" || t == "remove_field") {
            std::vector<std::string> fs;
            const json& f = it.params["field"];
            if (f.is_array()) {
                for (auto& x : f)
                    if (x.is_string()) fs.push_back(x);
            } else if (f.is_string()) {
                fs.push_back(f);
            }
            for (auto& x : fs) {
                auto pos = std::find(r.fields.begin(), r.fields.end(), x);
                if (t == "add_field" && pos == r.fields.end()) r.fields.push_back(x);
                if (t == "remove_field" && pos != r.fields.end()) r.fields.erase(pos);
            }
        } else if (t == "set_field") {
            r.fields.clear();
            if (it.params["fields"].is_array())
                for (auto& x : it.params["fields"])
                    if (x.is_string()) r.fields.push_back(x);
        } else if (t == "set_custom_attribute") {
            std::string a = jstr(it.params, "attribute", "");
            std::string v = it.params["value"].is_string() ? it.params["value"].get<std::string>()
                                                           : it.params["value"].dump();
            bool done = false;
            for (auto& [k, val] : r.custom)
                if (k == a) {
                    val = v;
                    done = true;
                }
            if (!done) r.custom.push_back({a, v});
        } else if (t == "strict_field_mapping_failure") {
            std::string missing;
            for (auto* p : preds())
                if (!p->field.empty() && !mapped_fields.count(p->field) &&
                    missing.find("'" + p->field + "'") == std::string::npos)
                    missing += (missing.empty() ? "'" : ", '") + p->field + "'";
            if (!missing.empty())
                fail(it, "pipeline.field.unmapped",
                     "fields not mapped by the pipeline: " + missing);
        } else if (t == "nest") {
            for (auto& n : it.nested) run(n);
            return;
        }
        if (!it.id.empty()) pr.applied_items.insert(it.id);
    }

    void run(const PipelineItem& it) {
        if (!pr.errors.empty()) return;
        const auto* ls = it.compiled ? &it.compiled->logsource_conds : nullptr;
        if (!eval_set(it.rule_conditions, [&](size_t i) {
                if (ls && i < ls->size() && (*ls)[i].used) {  // compiled at load
                    const auto& lc = (*ls)[i];
                    const Rule& r = pr.rule;
                    return (!lc.has[0] || lc.want[0] == r.logsource.category) &&
                           (!lc.has[1] || lc.want[1] == r.logsource.product) &&
                           (!lc.has[2] || lc.want[2] == r.logsource.service);
                }
                return rule_cond(it.rule_conditions.conditions[i].second);
            }))
            return;
        if (is_rule_transformation(it.type))
            apply_rule_item(it);
        else
            apply_pred_item(it);
    }
};

}  // namespace

ProcessedRule apply_pipelines(const Rule& rule, const PipelineChain& chain) {
    ProcessedRule pr;
    pr.rule = rule;
    if (chain.pipelines.empty()) return pr;
    Run run{chain, pr, {}, {}, {}, false};
    run.track_marks = false;
    run.track_mapped = false;
    for (auto& p : chain.pipelines)
        for (auto& it : p->transformations)
            if (it.compiled) {
                run.track_marks |= it.compiled->tree_reads_item_marks;
                run.track_mapped |= it.compiled->tree_strict_mapping;
            }
    for (auto& p : chain.pipelines)
        for (auto& it : p->transformations) {
            run.run(it);
            if (!pr.errors.empty()) return pr;
        }
    return pr;
}

}  // namespace sigil
