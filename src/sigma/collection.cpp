// sigma/collection.cpp — files and multi-document streams to rules: legacy
// collection actions (COLL-*), recursive loading, filters applied to the
// rules they target (FILT-*), correlation references resolved (CORR-RULES-*).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "sigil/sigma.h"
#include "sigma/sigma_internal.h"

namespace sigil {

namespace sigma {
bool build_rule(const YamlNode& doc, DocContext& ctx, Rule& r);
void validate_document(const YamlNode& doc, DocContext& ctx);
}  // namespace sigma

namespace {

/* Deep merge for collection actions (COLL-ACTION-GLOBAL-DEEPMERGE): maps merge
 * recursively, lists and scalars from `over` replace those of `base`.
 */
void deep_merge(YamlNode& base, const YamlNode& over) {
    if (!base.is_map() || !over.is_map()) {
        base = over;
        return;
    }
    for (auto& [k, v] : over.entries) {
        bool found = false;
        for (auto& e : base.entries)
            if (e.first.text == k.text) {
                deep_merge(e.second, v);
                found = true;
                break;
            }
        if (!found) base.entries.emplace_back(k, v);
    }
}

}  // namespace

/* Multi-document files (COLL-*).
 *
 * Documents are read in order. `action: global` documents accumulate into a
 * global template (spec v1: "accumulated"; pySigma replaces instead), `reset`
 * clears it, `repeat` builds a new rule from the previous rule document
 * deep-merged with this one. A plain rule document is merged over the global
 * template, so the rule's own values win on conflicts — the spec's and legacy
 * sigmac's reading; pySigma lets the global win (docs/sigma.md lists this).
 * Correlation and filter documents are never merged with the global.
 */
void load_sigma_text(std::string_view text, const std::string& path, SigmaCollection& out) {
    auto file = std::make_shared<const std::string>(path);
    ++out.stats.files;
    std::vector<YamlDocument> docs;
    size_t before = out.diagnostics.size();
    bool ok = parse_yaml(text, file, docs, out.diagnostics);
    for (size_t k = before; k < out.diagnostics.size(); ++k)
        if (out.diagnostics[k].severity == Severity::Error) ++out.stats.rules_failed;
    (void)ok;
    YamlNode global;
    bool have_global = false;
    YamlNode previous;
    bool have_previous = false;
    size_t real_docs = 0;
    for (auto& d : docs) {
        ++out.stats.documents;
        sigma::DocContext ctx;
        ctx.file = file;
        ctx.diags = &out.diagnostics;
        if (d.empty) {
            if (docs.size() > 1) {
                ctx.report_at(Severity::Error, "sigma.document.empty",
                              "an empty YAML document in a multi-document file",
                              SourceLoc{file, d.line, 1});
                ++out.stats.rules_failed;
            }
            continue;
        }
        ++real_docs;
        if (!d.root.is_map()) {
            ctx.error("sigma.document.type", "a rule document must be a YAML map", d.root);
            ++out.stats.rules_failed;
            continue;
        }
        YamlNode doc = std::move(d.root);
        if (const YamlNode* a = doc.get("action")) {
            std::string act = a->text;
            if (act == "global") {
                YamlNode g = doc;
                g.entries.erase(std::remove_if(g.entries.begin(), g.entries.end(),
                                               [](auto& e) { return e.first.text == "action"; }),
                                g.entries.end());
                if (have_global)
                    deep_merge(global, g);
                else
                    global = g;
                have_global = true;
                continue;
            }
            if (act == "reset") {
                have_global = false;
                global = YamlNode{};
                continue;
            }
            if (act == "repeat") {
                if (!have_previous) {
                    ctx.error("sigma.collection.repeat", "'action: repeat' without a previous rule",
                              *a);
                    ++out.stats.rules_failed;
                    continue;
                }
                YamlNode merged = previous;
                YamlNode r = doc;
                r.entries.erase(std::remove_if(r.entries.begin(), r.entries.end(),
                                               [](auto& e) { return e.first.text == "action"; }),
                                r.entries.end());
                deep_merge(merged, r);
                merged.line = doc.line;
                merged.col = doc.col;
                doc = std::move(merged);
            } else {
                ctx.error("sigma.collection.action",
                          "unknown action '" + act + "' (global, reset or repeat)", *a);
                ++out.stats.rules_failed;
                continue;
            }
        } else if (have_global && !doc.get("correlation") && !doc.get("filter")) {
            YamlNode merged = global;
            deep_merge(merged, doc);
            merged.line = doc.line;
            merged.col = doc.col;
            doc = std::move(merged);
        }
        Rule r;
        r.loc = SourceLoc{file, doc.line, doc.col};
        bool built = sigma::build_rule(doc, ctx, r);
        if (built && !ctx.failed) sigma::validate_document(doc, ctx);
        previous = std::move(doc);  // kept for a following `action: repeat`
        have_previous = true;
        if (built && !ctx.failed) {
            out.rules.push_back(std::move(r));
            ++out.stats.rules_loaded;
        } else {
            ++out.stats.rules_failed;
        }
    }
    if (real_docs == 0 && docs.size() <= 1 && out.diagnostics.size() == before) {
        Diagnostic d;
        d.severity = Severity::Error;
        d.code = "sigma.document.empty";
        d.message = "the file holds no rule";
        d.loc = SourceLoc{file, 0, 0};
        out.diagnostics.push_back(d);
        ++out.stats.rules_failed;
    }
}

namespace {

bool read_file(const std::string& path, std::string& out, std::string& err) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        err = "cannot open file";
        return false;
    }
    std::ostringstream ss;
    ss << f.rdbuf();
    out = ss.str();
    return true;
}

}  // namespace

std::vector<std::string> rule_files_under(const std::vector<std::string>& paths,
                                          Diagnostics& diags) {
    namespace fs = std::filesystem;
    std::vector<std::string> files;
    for (auto& p : paths) {
        std::error_code ec;
        if (fs::is_directory(p, ec)) {
            std::vector<std::string> found;
            for (auto it = fs::recursive_directory_iterator(
                     p, fs::directory_options::skip_permission_denied, ec);
                 it != fs::recursive_directory_iterator(); it.increment(ec)) {
                if (ec) break;
                auto ext = it->path().extension().string();
                if (it->is_regular_file(ec) && (ext == ".yml" || ext == ".yaml"))
                    found.push_back(it->path().string());
            }
            std::sort(found.begin(), found.end());
            files.insert(files.end(), found.begin(), found.end());
        } else if (fs::exists(p, ec)) {
            files.push_back(p);
        } else {
            Diagnostic d;
            d.code = "io.not_found";
            d.message = "no such file or directory";
            d.loc = SourceLoc{std::make_shared<const std::string>(p), 0, 0};
            diags.push_back(d);
        }
    }
    return files;
}

void load_sigma_paths(const std::vector<std::string>& paths, SigmaCollection& out) {
    std::vector<std::string> files = rule_files_under(paths, out.diagnostics);
    std::string text, err;
    for (auto& f : files) {
        if (!read_file(f, text, err)) {
            Diagnostic d;
            d.code = "io.read";
            d.message = err;
            d.loc = SourceLoc{std::make_shared<const std::string>(f), 0, 0};
            out.diagnostics.push_back(d);
            ++out.stats.rules_failed;
            continue;
        }
        load_sigma_text(text, f, out);
    }
    link_sigma_collection(out);
}

/* Linking after every file is loaded (COLL-DIRECTORY-LOAD, FILT-COLLECT):
 *  - filters apply to detection rules selected by id or name (or any) whose
 *    log source the filter's contains; each rule condition becomes
 *    (condition) and (filter condition) (FILT-SEMANTICS-AND, FILT-EACH-CONDITION);
 *    a reference to an unknown rule makes the filter not apply (a warning);
 *  - correlation references resolve by id, then name; unknown ones are errors.
 * Filter documents stay in the collection (kind Filter) so tools can list them.
 */
const Rule* SigmaCollection::find(std::string_view ref) const {
    std::string low(ref);
    for (auto& ch : low) ch = char(std::tolower((unsigned char)ch));
    for (auto& r : rules)
        if (!r.id.empty() && r.id == low) return &r;
    for (auto& r : rules)
        if (!r.name.empty() && r.name == ref) return &r;
    return nullptr;
}

void link_sigma_collection(SigmaCollection& c) {
    std::map<std::string, size_t> by_id, by_name;
    for (size_t i = 0; i < c.rules.size(); ++i) {
        if (c.rules[i].kind == RuleKind::Filter) continue;
        if (!c.rules[i].id.empty()) by_id.emplace(c.rules[i].id, i);
        if (c.rules[i].name.empty()) continue;
        auto [it, fresh] = by_name.emplace(c.rules[i].name, i);
        if (!fresh) {  // COLL-UNIQUE-ID-NAME: references would be ambiguous
            Diagnostic d;
            d.severity = Severity::Warning;
            d.code = "sigma.collection.duplicate_name";
            d.message = "name '" + sigma::excerpt(c.rules[i].name) + "' is also used by " +
                        c.rules[it->second].loc.str() + "; references resolve to that rule";
            d.loc = c.rules[i].loc;
            d.rule = c.rules[i].title;
            c.diagnostics.push_back(d);
        }
    }
    auto resolve = [&](const std::string& ref) -> long {
        std::string low = ref;
        for (auto& ch : low) ch = char(std::tolower((unsigned char)ch));
        auto it = by_id.find(low);
        if (it != by_id.end()) return long(it->second);
        auto jt = by_name.find(ref);
        if (jt != by_name.end()) return long(jt->second);
        return -1;
    };
    for (auto& f : c.rules) {
        if (f.kind != RuleKind::Filter || f.conditions.empty()) continue;
        std::vector<size_t> targets;
        if (f.filter_any) {
            for (size_t i = 0; i < c.rules.size(); ++i)
                if (c.rules[i].kind == RuleKind::Detection) targets.push_back(i);
        } else {
            for (auto& ref : f.filter_rules) {
                long t = resolve(ref);
                if (t < 0) {
                    Diagnostic d;
                    d.severity = Severity::Warning;
                    d.code = "sigma.filter.unknown_rule";
                    d.message = "filter refers to rule '" + ref + "', which is not loaded";
                    d.loc = f.loc;
                    d.rule = f.title;
                    c.diagnostics.push_back(d);
                } else if (c.rules[size_t(t)].kind == RuleKind::Detection) {
                    targets.push_back(size_t(t));
                }
            }
        }
        for (size_t t : targets) {
            Rule& r = c.rules[t];
            if (!f.logsource.contains(r.logsource)) continue;
            for (auto& cond : r.conditions) cond = Expr::make_and({cond, f.conditions[0]});
        }
    }
    for (auto& r : c.rules) {
        if (r.kind != RuleKind::Correlation) continue;
        auto error = [&](const char* code, const std::string& msg) {
            Diagnostic d;
            d.severity = Severity::Error;
            d.code = code;
            d.message = msg;
            d.loc = r.loc;
            d.rule = r.title;
            c.diagnostics.push_back(d);
        };
        std::set<long> referenced;
        for (auto& ref : r.correlation->rules) {
            long t = resolve(ref);
            if (t < 0)
                error("sigma.correlation.unknown_rule", "correlation refers to rule '" +
                                                            sigma::excerpt(ref) +
                                                            "', which is not loaded");
            referenced.insert(t);
        }
        // CORR-NAME-REQUIRED-FOR-ALIASES: aliases name referenced rules by `name`
        for (auto& [alias, per_rule] : r.correlation->aliases)
            for (auto& [ref, field] : per_rule) {
                auto it = by_name.find(ref);
                if (it == by_name.end() || !referenced.count(long(it->second)))
                    error("sigma.correlation.aliases",
                          "alias '" + sigma::excerpt(alias) + "' maps '" + sigma::excerpt(ref) +
                              "', which is not the name of a rule this correlation references");
            }
    }
}

}  // namespace sigil
