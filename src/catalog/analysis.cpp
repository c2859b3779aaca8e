// catalog/analysis.cpp — what one rule says, read off its IR: the rule's logic, its stages
// (SPL) or condition and search identifiers (Sigma), exclusions, indicators, search terms,
// and the corpus counts of each indicator value.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "catalog/catalog_internal.h"
#include "sigil/catalog.h"
#include "sigil/spl.h"

namespace sigil {

namespace {

std::string lower(std::string_view s) {
    std::string r(s);
    for (auto& c : r) c = (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
    return r;
}

const char* kind_of(Op op) {
    switch (op) {
        case Op::Eq:
            return "eq";
        case Op::Contains:
            return "contains";
        case Op::StartsWith:
            return "starts_with";
        case Op::EndsWith:
            return "ends_with";
        case Op::Glob:
            return "match";
        case Op::Regex:
            return "regex_match";
        case Op::Cidr:
            return "cidr";
        case Op::Exists:
            return "exists";
        case Op::Lt:
        case Op::Lte:
        case Op::Gt:
        case Op::Gte:
            return "compare";
        case Op::FieldRef:
        case Op::FieldRefContains:
        case Op::FieldRefStartsWith:
        case Op::FieldRefEndsWith:
            return "field_ref";
    }
    return "?";
}

std::string value_text(const Pred& p) {
    std::string v = p.value.text();
    switch (p.op) {
        case Op::Lt:
            return "< " + v;
        case Op::Lte:
            return "<= " + v;
        case Op::Gt:
            return "> " + v;
        case Op::Gte:
            return ">= " + v;
        case Op::FieldRef:
            return "= field " + v;
        case Op::FieldRefContains:
            return "contains field " + v;
        case Op::FieldRefStartsWith:
            return "starts with field " + v;
        case Op::FieldRefEndsWith:
            return "ends with field " + v;
        case Op::Exists:
            return p.value.b ? "present" : "absent";
        default:
            break;
    }
    if (p.time_part != TimePart::None) v = std::string(time_part_name(p.time_part)) + " " + v;
    return v;
}

// Every predicate with its polarity (true = under an odd number of NOTs).
void walk_polarity(const ExprPtr& e, bool negated,
                   const std::function<void(const Pred&, bool)>& fn) {
    if (!e) return;
    switch (e->kind) {
        case ExprKind::Pred:
            fn(*e->pred, negated);
            return;
        case ExprKind::Not:
            walk_polarity(e->kids[0], !negated, fn);
            return;
        default:
            for (auto& k : e->kids) walk_polarity(k, negated, fn);
    }
}

void add_search_terms(const ExprPtr& e, int stage, std::vector<SearchTerm>& out) {
    walk_polarity(e, false, [&](const Pred& p, bool neg) {
        if (!p.is_keyword() || neg) return;
        std::string t = p.value.text();
        for (auto& s : out)
            if (s.stage == stage && s.term == t) return;
        out.push_back({stage, t});
    });
}

std::string slug_part(std::string_view s) {
    std::string r;
    for (char c : s) {
        unsigned char u = (unsigned char)c;
        if (std::isalnum(u) || c == '.' || c == '_' || c == '-')
            r += char(std::tolower(u));
        else if (!r.empty() && r.back() != '_')
            r += '_';
    }
    while (!r.empty() && (r.back() == '_' || r.back() == '.')) r.pop_back();
    while (!r.empty() && r.front() == '.') r.erase(r.begin());
    if (r.size() > 80) r.resize(80);
    return r;
}

}  // namespace

std::vector<std::string> split_regex_alternatives(std::string_view re) {
    std::vector<std::string> out;
    std::string cur;
    int depth = 0;
    bool in_class = false;
    for (size_t i = 0; i < re.size(); ++i) {
        char c = re[i];
        if (c == '\\' && i + 1 < re.size()) {
            cur += c;
            cur += re[++i];
            continue;
        }
        if (in_class) {
            if (c == ']') in_class = false;
        } else if (c == '[') {
            in_class = true;
        } else if (c == '(') {
            ++depth;
        } else if (c == ')') {
            if (depth) --depth;
        } else if (c == '|' && depth == 0) {
            out.push_back(cur);
            cur.clear();
            continue;
        }
        cur += c;
    }
    out.push_back(cur);
    return out;
}

const char* indicator_kind(Op op) {
    return kind_of(op);
}

std::string indicator_value(const Pred& p) {
    return value_text(p);
}

ExprPtr rule_logic(const Rule& r) {
    if (r.kind == RuleKind::Correlation) return nullptr;
    std::vector<ExprPtr> parts;
    if (!r.conditions.empty()) parts.push_back(r.expr());
    for (auto& s : r.stages)
        if (s.expr) parts.push_back(s.expr);
    if (parts.empty()) return nullptr;
    return normalize(Expr::make_and(std::move(parts)));
}

std::string rule_slug(const Rule& r) {
    std::string id = slug_part(r.id);
    if (id.empty()) id = slug_part(r.title);
    if (id.empty()) id = "rule";
    return std::string(rule_source_name(r.source)) + "-" + id;
}

/* Sigma's search identifiers as YAML text. The front-end keeps no text of the detection, so
 * the block is cut out of the file: from the document's first line, the top-level
 * `detection:` key, then each key one indentation level below it up to the next key of that
 * level (comments and blank lines inside stay). Stops at the next top-level key or the
 * document separator. Returns (identifier, dedented text) in file order. */
std::vector<std::pair<std::string, std::string>> sigma_detection_blocks(std::string_view text,
                                                                        uint32_t first_line) {
    std::vector<std::string_view> lines;
    size_t i = 0;
    while (i <= text.size()) {
        size_t e = text.find('\n', i);
        if (e == std::string_view::npos) e = text.size();
        std::string_view l = text.substr(i, e - i);
        if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
        lines.push_back(l);
        i = e + 1;
    }
    std::vector<std::pair<std::string, std::string>> out;
    size_t start = first_line ? first_line - 1 : 0;
    size_t det = lines.size();
    for (size_t k = start; k < lines.size(); ++k) {
        if (k > start && lines[k].substr(0, 3) == "---") break;
        if (lines[k].substr(0, 10) == "detection:") {
            det = k;
            break;
        }
    }
    if (det == lines.size()) return out;
    size_t child_indent = 0;
    for (size_t k = det + 1; k < lines.size(); ++k) {
        std::string_view l = lines[k];
        size_t ind = l.find_first_not_of(' ');
        if (ind == std::string_view::npos || l[ind] == '#') continue;  // blank or comment
        if (ind == 0) break;  // next top-level key or document separator
        if (!child_indent) child_indent = ind;
        if (ind == child_indent) {
            size_t colon = l.find(':', ind);
            std::string key(
                l.substr(ind, colon == std::string_view::npos ? l.size() - ind : colon - ind));
            if (key.size() >= 2 && (key.front() == '\'' || key.front() == '"'))
                key = key.substr(1, key.size() - 2);
            out.push_back({key, ""});
        }
        if (out.empty()) continue;
        std::string_view body = l.size() > child_indent ? l.substr(child_indent) : "";
        out.back().second.append(body);
        out.back().second += '\n';
    }
    for (auto& [k, v] : out)
        while (!v.empty() && v.back() == '\n') v.pop_back();
    return out;
}

void analyze_structure(const Rule& r, std::string_view file_text, RuleAnalysis& a) {
    a.slug = rule_slug(r);
    a.logic = rule_logic(r);

    // Stages.
    a.stages.clear();
    a.search_terms.clear();
    if (!r.stages.empty()) {
        // The SPL front-end records its bare search terms (stage and text as written).
        for (auto& t : spl_search_terms(r)) a.search_terms.push_back({int(t.stage), t.term});
        bool from_front_end = !a.search_terms.empty();
        int n = 0;
        for (auto& s : r.stages) {
            StageView v;
            v.number = ++n;
            v.label = s.command;
            v.text = s.text;
            if (s.expr) {
                std::vector<const Pred*> ps;
                collect_preds(s.expr, ps);
                for (auto* p : ps) v.predicates.push_back(p->str());
                if (!from_front_end) add_search_terms(s.expr, n, a.search_terms);
            }
            a.stages.push_back(std::move(v));
        }
    } else if (r.kind != RuleKind::Correlation) {
        auto blocks = sigma_detection_blocks(file_text, r.loc.line);
        auto block_text = [&](const std::string& name) -> std::string {
            for (auto& [k, v] : blocks)
                if (k == name) return v;
            return "";
        };
        StageView cond;
        cond.number = 0;
        cond.label = "condition";
        for (size_t i = 0; i < r.condition_text.size(); ++i) {
            if (i) cond.text += '\n';
            cond.text += r.condition_text[i];
        }
        a.stages.push_back(std::move(cond));
        int n = 0;
        for (auto& [name, e] : r.detections) {
            StageView v;
            v.number = ++n;
            v.label = name;
            v.text = block_text(name);
            // The identifier's YAML says what it tests; printed predicates are listed only
            // when the text could not be cut out of the file.
            if (v.text.empty()) {
                std::vector<const Pred*> ps;
                collect_preds(e, ps);
                for (auto* p : ps) v.predicates.push_back(p->str());
            }
            add_search_terms(e, n, a.search_terms);
            a.stages.push_back(std::move(v));
        }
    }

    // Exclusions: top-level NOT conjuncts of the normalized logic.
    a.exclusions.clear();
    a.indicators.clear();
    if (!a.logic) return;
    std::vector<ExprPtr> top;
    if (a.logic->kind == ExprKind::And)
        top = a.logic->kids;
    else
        top.push_back(a.logic);
    for (auto& c : top) {
        if (c->kind != ExprKind::Not) continue;
        std::vector<const Pred*> ps;
        collect_preds(c->kids[0], ps);
        for (const Pred* p : ps) {
            std::string field = p->is_keyword() ? std::string("(keyword)") : p->field;
            std::string kind = kind_of(p->op);
            Exclusion* row = nullptr;
            for (auto& x : a.exclusions)
                if (x.field == field && x.kind == kind) row = &x;
            if (!row) {
                a.exclusions.push_back({field, kind, {}});
                row = &a.exclusions.back();
            }
            std::vector<std::string> vals;
            if (p->op == Op::Regex)
                vals = split_regex_alternatives(p->value.s);
            else
                vals.push_back(value_text(*p));
            for (auto& v : vals)
                if (std::find(row->values.begin(), row->values.end(), v) == row->values.end())
                    row->values.push_back(v);
        }
    }

    // Indicators: field predicates that are not negated, grouped by (field, kind).
    // Values in the order the rule writes them: walk the logic before normalization.
    std::vector<ExprPtr> raw;
    if (!r.conditions.empty()) raw.push_back(r.expr());
    for (auto& s : r.stages)
        if (s.expr) raw.push_back(s.expr);
    std::map<std::pair<std::string, std::string>, Indicator> rows;
    walk_polarity(Expr::make_and(raw), false, [&](const Pred& p, bool neg) {
        if (neg || p.is_keyword()) return;
        auto key = std::make_pair(p.field, std::string(kind_of(p.op)));
        Indicator& row = rows[key];
        row.field = p.field;
        row.kind = key.second;
        std::string v = value_text(p);
        for (auto& x : row.values)
            if (x.value == v) return;
        row.values.push_back({v, 0, {}});
    });
    for (auto& [k, row] : rows) {
        if (row.kind == "eq" && row.values.size() > 1) row.kind = "in";
        a.indicators.push_back(std::move(row));
    }
    // Keyword predicates that are not inside a stage or search identifier (e.g. added by a
    // filter) still count as search terms.
    if (a.search_terms.empty()) add_search_terms(a.logic, 0, a.search_terms);
}

std::string IndicatorValue::corpus_text() const {
    if (!corpus) return "";
    std::string s = "corpus " + std::to_string(corpus) + " (";
    bool first = true;
    for (size_t i = 0; i < kRuleSources; ++i) {
        if (!by_source[i]) continue;
        if (!first) s += ", ";
        first = false;
        s += rule_source_name(RuleSource(i));
        s += ' ';
        s += std::to_string(by_source[i]);
    }
    return s + ")";
}

/* Corpus counts of indicator values. Every rule contributes the set of canonical keys of
 * its non-negated field predicates (canonical_pred: alias table applied, case folded), so a
 * rule counts once per key however often it repeats it. Counting is one hash-map pass over
 * those sets; a value's count is then the key's rule count minus the rule itself. The sets,
 * and which key each indicator value is counted under, are per-rule inputs
 * (indicator_hashes), kept in the rule cache. */
void indicator_hashes(const RuleAnalysis& a, CanonicalHashes& hashes, CorpusInputs& out) {
    out.indicator_set.clear();
    out.value_hashes.clear();
    if (!a.logic) return;
    // (field, kind, value text) → canonical hash; the first predicate of a key wins
    std::vector<std::pair<std::string, uint64_t>> keys;
    walk_polarity(a.logic, false, [&](const Pred& p, bool neg) {
        if (neg || p.is_keyword()) return;
        uint64_t h = hashes(p);
        keys.push_back({p.field + '\x1f' + kind_of(p.op) + '\x1f' + value_text(p), h});
        out.indicator_set.push_back(h);
    });
    auto& mine = out.indicator_set;
    std::sort(mine.begin(), mine.end());
    mine.erase(std::unique(mine.begin(), mine.end()), mine.end());
    std::unordered_map<std::string, uint64_t> lookup(keys.begin(), keys.end());
    for (auto& row : a.indicators) {
        std::string kind = row.kind == "in" ? "eq" : row.kind;
        auto& vh = out.value_hashes.emplace_back();
        for (auto& v : row.values) {
            auto it = lookup.find(row.field + '\x1f' + kind + '\x1f' + v.value);
            vh.push_back(it == lookup.end() ? std::pair<bool, uint64_t>{false, 0}
                                            : std::pair<bool, uint64_t>{true, it->second});
        }
    }
}

void count_indicators(Catalog& c, const std::vector<CorpusInputs>& in) {
    struct Count {
        uint32_t total = 0;
        std::array<uint32_t, kRuleSources> by{};
    };
    std::unordered_map<uint64_t, Count> counts;
    for (size_t i = 0; i < c.rules.size(); ++i) {
        size_t src = size_t(c.rules[i].source);
        for (uint64_t h : in[i].indicator_set) {
            Count& n = counts[h];
            ++n.total;
            ++n.by[src];
        }
    }
    for (size_t i = 0; i < c.rules.size(); ++i) {
        RuleAnalysis& a = c.analyses[i];
        size_t src = size_t(c.rules[i].source);
        const auto& vh = in[i].value_hashes;
        for (size_t r = 0; r < a.indicators.size() && r < vh.size(); ++r) {
            auto& row = a.indicators[r];
            for (size_t k = 0; k < row.values.size() && k < vh[r].size(); ++k) {
                if (!vh[r][k].first) continue;
                auto& v = row.values[k];
                const Count& n = counts[vh[r][k].second];
                v.corpus = n.total ? n.total - 1 : 0;
                v.by_source = n.by;
                if (v.by_source[src]) --v.by_source[src];
            }
        }
    }
}

}  // namespace sigil
