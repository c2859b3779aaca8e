// spl/loader.cpp — YAML documents of splunk/security_content (detections,
// macros, data sources) and Anvilogic Armory into IR rules: metadata, stages,
// the condition and search terms. Files are read with libfyaml so every
// query character keeps its line and column.
#include <libfyaml.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include "sigil/yaml.h"
#include "spl/internal.h"

namespace sigil {

namespace {

namespace fs = std::filesystem;
using spl::MappedText;

// ---------------------------------------------------------------------------
// libfyaml access
// ---------------------------------------------------------------------------

struct YamlDoc {
    fy_document* doc = nullptr;
    fy_diag* diag = nullptr;
    ~YamlDoc() {
        if (doc) fy_document_destroy(doc);
        if (diag) fy_diag_destroy(diag);
    }
};

/* The text a document was built from, while read_document works on it, so
 * single-quoted scalars with '' escapes and double-quoted ones with escaped
 * line breaks are decoded by yaml_decode_single_quoted / _double_quoted
 * instead of libfyaml, which leaks memory on some of them (found by
 * fuzz/spl_yaml and make test-sanitize, docs/hardening.md). Decoded values
 * live here until the document is done.
 */
struct ScalarSource {
    std::string_view text;
    std::map<fy_token*, std::string> decoded;
    ScalarSource* outer;
};
thread_local ScalarSource* t_source = nullptr;

struct ScalarScope {
    ScalarSource src;
    explicit ScalarScope(std::string_view text) : src{text, {}, t_source} { t_source = &src; }
    ~ScalarScope() { t_source = src.outer; }
    ScalarScope(const ScalarScope&) = delete;
    ScalarScope& operator=(const ScalarScope&) = delete;
};

std::string_view scalar(fy_node* n) {
    if (!n || !fy_node_is_scalar(n)) return {};
    fy_token* t = t_source ? fy_node_get_scalar_token(n) : nullptr;
    if (t && fy_token_scalar_style(t) == FYSS_SINGLE_QUOTED) {
        const fy_mark* a = fy_token_start_mark(t);
        const fy_mark* z = fy_token_end_mark(t);
        std::string_view raw = t_source->text;
        if (a && z && a->input_pos <= z->input_pos && z->input_pos <= raw.size()) {
            std::string_view body = raw.substr(a->input_pos, z->input_pos - a->input_pos);
            if (body.find("''") != std::string_view::npos) {
                auto [it, fresh] = t_source->decoded.try_emplace(t);
                if (fresh) it->second = yaml_decode_single_quoted(body);
                return it->second;
            }
        }
    } else if (t && fy_token_scalar_style(t) == FYSS_DOUBLE_QUOTED) {
        const fy_mark* a = fy_token_start_mark(t);
        const fy_mark* z = fy_token_end_mark(t);
        std::string_view raw = t_source->text;
        if (a && z && a->input_pos <= z->input_pos && z->input_pos <= raw.size()) {
            std::string_view body = raw.substr(a->input_pos, z->input_pos - a->input_pos);
            if (body.find("\\\n") != std::string_view::npos ||
                body.find("\\\r") != std::string_view::npos) {
                auto [it, fresh] = t_source->decoded.try_emplace(t);
                if (fresh) it->second = yaml_decode_double_quoted(body);
                return it->second;
            }
        }
    }
    size_t len = 0;
    const char* s = fy_node_get_scalar(n, &len);
    return s ? std::string_view(s, len) : std::string_view();
}

fy_node* get(fy_node* map, const char* key) {
    if (!map || !fy_node_is_mapping(map)) return nullptr;
    return fy_node_mapping_lookup_by_string(map, key, FY_NT);
}

std::string str(fy_node* map, const char* key) {
    return std::string(scalar(get(map, key)));
}

std::vector<std::string> list(fy_node* n) {
    std::vector<std::string> out;
    if (!n) return out;
    if (fy_node_is_scalar(n)) {
        auto s = scalar(n);
        if (!s.empty()) out.emplace_back(s);
        return out;
    }
    if (!fy_node_is_sequence(n)) return out;
    void* it = nullptr;
    while (fy_node* k = fy_node_sequence_iterate(n, &it)) {
        if (fy_node_is_scalar(k)) {
            auto s = scalar(k);
            if (!s.empty()) out.emplace_back(s);
        }
    }
    return out;
}

// Flow text of a node for custom attributes: scalars as they are, sequences
// as [a, b], mappings as {k: v}. Written here rather than with libfyaml's
// emitter, which costs more than parsing the file.
void flow_into(fy_node* n, std::string& out, int depth) {
    if (!n) return;
    if (fy_node_is_scalar(n)) {
        out += scalar(n);
        return;
    }
    if (depth > 32) {
        out += "...";
        return;
    }
    void* it = nullptr;
    bool first = true;
    if (fy_node_is_sequence(n)) {
        out += '[';
        while (fy_node* k = fy_node_sequence_iterate(n, &it)) {
            if (!first) out += ", ";
            first = false;
            flow_into(k, out, depth + 1);
        }
        out += ']';
    } else if (fy_node_is_mapping(n)) {
        out += '{';
        while (fy_node_pair* p = fy_node_mapping_iterate(n, &it)) {
            if (!first) out += ", ";
            first = false;
            flow_into(fy_node_pair_key(p), out, depth + 1);
            out += ": ";
            flow_into(fy_node_pair_value(p), out, depth + 1);
        }
        out += '}';
    }
}

std::string flow(fy_node* n) {
    std::string r;
    flow_into(n, r, 0);
    return r;
}

SourceLoc node_loc(fy_node* n, const std::shared_ptr<const std::string>& file) {
    SourceLoc l;
    l.file = file;
    if (!n) return l;
    fy_token* t = fy_node_get_scalar_token(n);
    if (!t) return l;
    const fy_mark* m = fy_token_start_mark(t);
    if (m) {
        l.line = uint32_t(m->line + 1);
        l.col = uint32_t(m->column + 1);
    }
    return l;
}

// The value of a scalar node with the file position of each character.
MappedText mapped_scalar(fy_node* n, std::string_view raw,
                         const std::shared_ptr<const std::string>& file) {
    std::string value(scalar(n));
    fy_token* t = n ? fy_node_get_scalar_token(n) : nullptr;
    const fy_mark* a = t ? fy_token_start_mark(t) : nullptr;
    const fy_mark* z = t ? fy_token_end_mark(t) : nullptr;
    if (!a || !z || a->input_pos > raw.size()) {
        SourceLoc l;
        l.file = file;
        l.line = 1;
        return spl::map_plain(value, l);
    }
    size_t rb = a->input_pos, re = std::min<size_t>(z->input_pos, raw.size());
    if (fy_token_scalar_style(t) == FYSS_DOUBLE_QUOTED) {
        std::string_view body = raw.substr(rb, re - rb);
        if (body.find("\\\n") != std::string_view::npos ||
            body.find("\\\r\n") != std::string_view::npos)
            value = yaml_decode_double_quoted(body);
    }
    return spl::map_yaml_scalar(std::move(value), raw, rb, re, uint32_t(a->line + 1),
                                uint32_t(a->column + 1), file);
}

void add_diag(SplCollection& out, Severity s, const char* code, std::string msg, SourceLoc loc,
              std::string rule = {}) {
    Diagnostic d;
    d.severity = s;
    d.code = code;
    d.message = std::move(msg);
    d.loc = std::move(loc);
    d.rule = std::move(rule);
    out.diagnostics.push_back(std::move(d));
}

bool build_yaml(std::string_view text, YamlDoc& y, SourceLoc& err, std::string& msg) {
    if (auto bad = yaml_unprintable(text)) {  // libfyaml misreads it, hangs or crashes
        err.line = bad.line;
        err.col = bad.col;
        msg = "YAML does not parse: " + bad.what();
        return false;
    }
    fy_diag_cfg dc{};
    dc.fp = nullptr;
    dc.level = FYET_ERROR;
    dc.module_mask = ~0u;
    y.diag = fy_diag_create(&dc);
    if (y.diag) fy_diag_set_collect_errors(y.diag, true);
    fy_parse_cfg cfg{};
    cfg.flags = fy_parse_cfg_flags(FYPCF_QUIET | FYPCF_DEFAULT_PARSE);
    cfg.diag = y.diag;
    y.doc = fy_document_build_from_string(&cfg, text.data(), text.size());
    if (y.doc && !(y.diag && fy_diag_got_error(y.diag))) return true;
    if (y.doc) {
        fy_document_destroy(y.doc);
        y.doc = nullptr;
    }
    msg = "YAML does not parse";
    if (y.diag) {
        void* it = nullptr;
        if (fy_diag_error* e = fy_diag_errors_iterate(y.diag, &it)) {
            err.line = uint32_t(e->line + 1);
            err.col = uint32_t(e->column + 1);
            if (e->msg) msg += std::string(": ") + e->msg;
        }
    }
    return false;
}

/* Lenient indentation. Some files continue a multi-line quoted scalar at
 * column 0, which YAML forbids but other loaders accept. Indentation inside a
 * quoted scalar is folded away, so indenting every column-0 line that is not a
 * key, a list item or a comment gives the same values; the file then loads
 * with a warning (columns on the re-indented lines are off by two). */
std::string reindent(std::string_view text) {
    std::string out;
    out.reserve(text.size() + 256);
    size_t i = 0;
    while (i < text.size()) {
        size_t nl = text.find('\n', i);
        size_t e = nl == std::string_view::npos ? text.size() : nl + 1;
        std::string_view line = text.substr(i, e - i);
        bool key = false;
        size_t k = 0;
        while (k < line.size() && (std::isalnum(static_cast<unsigned char>(line[k])) ||
                                   line[k] == '_' || line[k] == '-' || line[k] == '.'))
            ++k;
        if (k > 0 && k < line.size() && line[k] == ':' &&
            (k + 1 == line.size() || line[k + 1] == ' ' || line[k + 1] == '\n' ||
             line[k + 1] == '\r'))
            key = true;
        char c = line.empty() ? '\n' : line[0];
        bool plain = c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '#' && c != '-' &&
                     !key && line.rfind("...", 0) != 0;
        if (plain) out += "  ";
        out += line;
        i = e;
    }
    return out;
}

bool parse_yaml(std::string_view text, const std::shared_ptr<const std::string>& file, YamlDoc& y,
                SplCollection& out, std::string& repaired) {
    SourceLoc err;
    err.file = file;
    std::string msg;
    if (build_yaml(text, y, err, msg)) return true;
    if (msg.find("wrongly indented") != std::string::npos) {
        std::string fixed = reindent(text);
        YamlDoc y2;
        SourceLoc err2;
        std::string msg2;
        if (build_yaml(fixed, y2, err2, msg2)) {
            std::swap(y.doc, y2.doc);
            std::swap(y.diag, y2.diag);
            repaired = std::move(fixed);
            add_diag(out, Severity::Warning, "spl.yaml.indent",
                     "a multi-line scalar continues at column 0 (not valid YAML); loaded as if "
                     "indented",
                     err);
            return true;
        }
    }
    add_diag(out, Severity::Error, "spl.yaml.parse", msg, err);
    return false;
}

std::string attack_tag(std::string id) {
    for (auto& c : id) c = char(std::tolower(static_cast<unsigned char>(c)));
    while (!id.empty() && id.back() == ' ') id.pop_back();
    return "attack." + id;
}

void add_unique(std::vector<std::string>& v, std::string s) {
    if (!s.empty() && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

// ---------------------------------------------------------------------------
// Documents
// ---------------------------------------------------------------------------

enum class QueryKind : uint8_t { Spl, Sql, Unknown };

// A detection whose metadata is read and whose query waits for the macros.
struct Pending {
    Rule rule;
    MappedText query;
    QueryKind kind = QueryKind::Spl;
    std::vector<std::string> data_sources;
};

void read_ssc(fy_node* root, Pending& p, const std::shared_ptr<const std::string>& file) {
    Rule& r = p.rule;
    r.source = RuleSource::SplunkSecurityContent;
    r.id = str(root, "id");
    r.name = str(root, "name");
    r.title = r.name;
    r.description = str(root, "description");
    r.author = str(root, "author");
    r.date = str(root, "date");
    if (r.date.empty()) r.date = str(root, "creation_date");
    r.modified = str(root, "modification_date");
    r.status = spl::lower_ascii(str(root, "status"));
    r.references = list(get(root, "references"));
    r.falsepositives = list(get(root, "known_false_positives"));
    p.data_sources = list(get(root, "data_source"));
    for (auto& d : list(get(root, "data_sources"))) add_unique(p.data_sources, d);
    fy_node* tags = get(root, "tags");
    auto attack_ids = list(get(tags, "mitre_attack_id"));
    for (auto& a : list(get(root, "mitre_attack_id"))) attack_ids.push_back(a);
    for (auto& a : attack_ids) add_unique(r.tags, attack_tag(a));
    for (const char* key : {"cve", "CVE"})
        for (auto c : list(get(tags, key))) {
            for (auto& ch : c) ch = char(std::tolower(static_cast<unsigned char>(ch)));
            if (c.rfind("cve-", 0) == 0) c = c.substr(4);
            add_unique(r.tags, "cve." + c);
        }
    r.fields = list(get(tags, "required_fields"));
    // other keys, flow text
    static const std::set<std::string, std::less<>> done = {"id",
                                                            "name",
                                                            "description",
                                                            "author",
                                                            "date",
                                                            "creation_date",
                                                            "modification_date",
                                                            "status",
                                                            "references",
                                                            "known_false_positives",
                                                            "data_source",
                                                            "data_sources",
                                                            "search",
                                                            "tags",
                                                            "tests",
                                                            "mitre_attack_id"};
    void* it = nullptr;
    while (fy_node_pair* pr = fy_node_mapping_iterate(root, &it)) {
        std::string k(scalar(fy_node_pair_key(pr)));
        if (done.count(k)) continue;
        r.custom.emplace_back(k, flow(fy_node_pair_value(pr)));
    }
    if (tags && fy_node_is_mapping(tags)) {
        static const std::set<std::string, std::less<>> tdone = {"mitre_attack_id", "cve", "CVE",
                                                                 "required_fields"};
        it = nullptr;
        while (fy_node_pair* pr = fy_node_mapping_iterate(tags, &it)) {
            std::string k(scalar(fy_node_pair_key(pr)));
            if (tdone.count(k)) continue;
            r.custom.emplace_back(k == "analytic_story" ? k : "tags." + k,
                                  flow(fy_node_pair_value(pr)));
        }
    }
    (void)file;
}

void read_armory(fy_node* root, Pending& p) {
    Rule& r = p.rule;
    r.source = RuleSource::Armory;
    r.id = str(root, "id");
    r.title = str(root, "title");
    r.name = r.title;
    r.description = str(root, "description");
    r.author = str(root, "author");
    r.date = str(root, "date");
    r.references = list(get(root, "references"));
    for (auto& t : list(get(root, "technique_id"))) add_unique(r.tags, attack_tag(t));
    for (auto& t : list(get(root, "techniques"))) {
        // "persistence:create or modify system process:windows service"
        std::string tactic = t.substr(0, t.find(':'));
        for (auto& c : tactic) {
            c = char(std::tolower(static_cast<unsigned char>(c)));
            if (c == '-' || c == ' ') c = '_';
        }
        if (!tactic.empty()) add_unique(r.tags, "attack." + tactic);
        r.custom.emplace_back("techniques", t);
    }
    for (auto& d : list(get(root, "data_category")))
        r.logsource.custom.emplace_back("data_category", d);
    std::string fmt = str(root, "logic_format");
    r.custom.emplace_back("logic_format", fmt);
    static const std::set<std::string, std::less<>> done = {
        "id",           "title",      "description",   "author",       "date", "references",
        "technique_id", "techniques", "data_category", "logic_format", "logic"};
    void* it = nullptr;
    while (fy_node_pair* pr = fy_node_mapping_iterate(root, &it)) {
        std::string k(scalar(fy_node_pair_key(pr)));
        if (done.count(k)) continue;
        r.custom.emplace_back(k, flow(fy_node_pair_value(pr)));
    }
    std::string f = spl::lower_ascii(fmt);
    p.kind = f == "splunk" || f == "spl"      ? QueryKind::Spl
             : f == "snowflake" || f == "sql" ? QueryKind::Sql
                                              : QueryKind::Unknown;
}

// Reads one YAML text: macros and data sources go straight into the
// collection; detections are returned for parsing once all macros are known.
void read_document(std::string_view text, const std::string& path, SplCollection& out,
                   std::vector<Pending>& pending) {
    auto file = std::make_shared<const std::string>(path);
    ++out.stats.files;
    YamlDoc y;
    std::string repaired;
    if (!parse_yaml(text, file, y, out, repaired)) {
        ++out.stats.rules_failed;
        return;
    }
    if (!repaired.empty()) text = repaired;
    ScalarScope source(text);
    fy_node* root = fy_document_root(y.doc);
    if (!root || !fy_node_is_mapping(root)) {
        ++out.stats.skipped_documents;
        return;
    }
    fy_node* search = get(root, "search");
    fy_node* logic = get(root, "logic");
    SourceLoc start;
    start.file = file;
    start.line = 1;
    start.col = 1;
    if (search || logic) {
        Pending p;
        p.rule.loc = start;
        fy_node* q = search ? search : logic;
        if (search) {
            read_ssc(root, p, file);
        } else {
            read_armory(root, p);
        }
        if (!q || !fy_node_is_scalar(q) || scalar(q).empty()) {
            add_diag(out, Severity::Error, "spl.rule.no_query",
                     std::string(search ? "`search`" : "`logic`") + " is not a text",
                     node_loc(q, file), p.rule.title);
            ++out.stats.rules_failed;
            return;
        }
        p.query = mapped_scalar(q, text, file);
        pending.push_back(std::move(p));
        return;
    }
    fy_node* def = get(root, "definition");
    std::string name = str(root, "name");
    if (def && !name.empty()) {
        SplMacro m;
        m.name = name;
        m.args = list(get(root, "arguments"));
        m.definition = std::string(scalar(def));
        m.loc = node_loc(def, file);
        m.mapped = std::make_shared<const MappedText>(mapped_scalar(def, text, file));
        out.macros.add(std::move(m));
        ++out.stats.macros;
        return;
    }
    if (!name.empty() && get(root, "sourcetype")) {
        SplDataSource d;
        d.name = name;
        d.source = str(root, "source");
        d.sourcetype = str(root, "sourcetype");
        out.data_sources[name] = std::move(d);
        ++out.stats.data_sources;
        return;
    }
    ++out.stats.skipped_documents;
}

void merge_stats(SplLoadStats& a, const SplLoadStats& b) {
    a.files += b.files;
    a.rules_loaded += b.rules_loaded;
    a.rules_failed += b.rules_failed;
    a.ssc_rules += b.ssc_rules;
    a.armory_rules += b.armory_rules;
    a.armory_sql_rules += b.armory_sql_rules;
    a.with_predicates += b.with_predicates;
    a.macros += b.macros;
    a.data_sources += b.data_sources;
    a.skipped_documents += b.skipped_documents;
}

// Parses the query of `p` with the macros and data sources of `ctx`; the
// rule, diagnostics and counts go to `out` (which may be `ctx`).
void finish(Pending& p, const SplCollection& ctx, SplCollection& out) {
    Rule& r = p.rule;
    SplParseOptions opt;
    opt.macros = &ctx.macros;
    opt.rule = r.title.empty() ? r.id : r.title;
    SplQuery q;
    if (p.kind == QueryKind::Unknown) {
        std::string fmt;
        for (auto& [k, v] : r.custom)
            if (k == "logic_format") fmt = v;
        add_diag(out, Severity::Error, "spl.logic_format.unknown",
                 "logic_format `" + fmt + "` is neither Splunk nor Snowflake", r.loc, opt.rule);
        ++out.stats.rules_failed;
        return;
    }
    if (p.kind == QueryKind::Sql) {
        q = spl::parse_sql_mapped(p.query, opt, out.diagnostics);
    } else {
        q = spl::parse_spl_mapped(p.query, opt, out.diagnostics);
    }
    for (auto& d : p.data_sources) {
        r.logsource.custom.emplace_back("data_source", d);
        auto it = ctx.data_sources.find(d);
        if (it != ctx.data_sources.end()) {
            auto add = [&](const char* k, const std::string& v) {
                if (v.empty()) return;
                std::pair<std::string, std::string> kv{k, v};
                if (std::find(r.logsource.custom.begin(), r.logsource.custom.end(), kv) ==
                    r.logsource.custom.end())
                    r.logsource.custom.push_back(kv);
            };
            add("source", it->second.source);
            add("sourcetype", it->second.sourcetype);
        }
    }
    r.stages = std::move(q.stages);
    r.conditions = {q.condition};
    r.condition_text = {p.query.text};
    for (auto& t : q.search_terms)
        r.custom.emplace_back("search_terms", std::to_string(t.stage) + "\t" + t.term);
    auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (auto& x : v) s += (s.empty() ? "" : ", ") + x;
        return s;
    };
    if (!q.macros.empty()) r.custom.emplace_back("macros", join(q.macros));
    if (!q.expanded_macros.empty())
        r.custom.emplace_back("expanded_macros", join(q.expanded_macros));
    if (!q.datamodel.empty()) r.custom.emplace_back("datamodel_used", q.datamodel);
    if (!q.nodename.empty()) r.custom.emplace_back("nodename", q.nodename);
    if (!q.table.empty()) r.custom.emplace_back("table", q.table);
    std::vector<const Pred*> preds;
    collect_preds(q.condition, preds);
    if (!preds.empty()) ++out.stats.with_predicates;
    ++out.stats.rules_loaded;
    if (r.source == RuleSource::SplunkSecurityContent) {
        ++out.stats.ssc_rules;
    } else {
        ++out.stats.armory_rules;
        if (p.kind == QueryKind::Sql) ++out.stats.armory_sql_rules;
    }
    out.rules.push_back(std::move(r));
}

bool read_file(const std::string& path, std::string& text) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) return false;
    text.clear();
    char buf[65536];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    bool ok = !std::ferror(f);
    std::fclose(f);
    return ok;
}

bool is_yaml(const fs::path& p) {
    auto e = p.extension().string();
    return e == ".yml" || e == ".yaml";
}

}  // namespace

void load_splunk_text(std::string_view text, const std::string& path, SplCollection& out) {
    std::vector<Pending> pending;
    read_document(text, path, out, pending);
    for (auto& p : pending) finish(p, out, out);
}

/* Loading many files. Files are listed first (directories walked in sorted
 * order, duplicates dropped by canonical path), then two phases run on worker
 * threads, each item writing to its own scratch collection:
 *   1. read + YAML + metadata, macros and data sources (no query parsing),
 *   2. query parsing, once every macro is known.
 * Scratch results are merged in file order, so rules and diagnostics come
 * out in the same order whatever the thread count. YAML parsing dominates
 * the cost; queries take about a fifth of it. */
void load_splunk_paths(const std::vector<std::string>& paths, SplCollection& out) {
    load_splunk_paths(paths, out, 0);
}

void load_splunk_paths(const std::vector<std::string>& paths, SplCollection& out,
                       unsigned threads) {
    std::vector<std::string> files;
    std::set<std::string> seen;
    auto add_file = [&](const std::string& shown, const std::string& key) {
        if (seen.insert(key).second) files.push_back(shown);
    };
    auto add_dir = [&](const fs::path& d) {
        std::error_code ec;
        fs::path canon = fs::weakly_canonical(d, ec);
        if (ec) canon = d;
        std::vector<std::pair<std::string, std::string>> found;
        for (fs::recursive_directory_iterator
                 it(d, fs::directory_options::skip_permission_denied, ec),
             end;
             !ec && it != end; it.increment(ec)) {
            if (it->is_regular_file(ec) && is_yaml(it->path()))
                found.emplace_back(it->path().string(),
                                   (canon / it->path().lexically_relative(d)).string());
        }
        std::sort(found.begin(), found.end());
        for (auto& [shown, key] : found) add_file(shown, key);
    };
    std::vector<fs::path> extra;
    for (const auto& p : paths) {
        std::error_code ec;
        fs::path fp(p);
        if (!fs::exists(fp, ec)) {
            SourceLoc l;
            l.file = std::make_shared<const std::string>(p);
            add_diag(out, Severity::Error, "spl.io.missing", "no such file or directory", l);
            continue;
        }
        // a security_content checkout: load its macros and data sources too
        fs::path abs = fs::weakly_canonical(fp, ec);
        for (fs::path a = abs; !a.empty() && a != a.root_path(); a = a.parent_path()) {
            if (a.filename() == "detections") {
                for (const char* sib : {"macros", "data_sources"}) {
                    fs::path s = a.parent_path() / sib;
                    if (fs::is_directory(s, ec)) extra.push_back(s);
                }
                break;
            }
        }
        if (fs::is_directory(fp, ec))
            add_dir(fp);
        else
            add_file(p, ec ? p : abs.string());
    }
    for (auto& e : extra) add_dir(e);

    if (threads == 0) threads = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
    auto parallel = [threads](size_t n, const std::function<void(size_t)>& fn) {
        std::atomic<size_t> next{0};
        auto work = [&] {
            for (size_t i; (i = next.fetch_add(1)) < n;) fn(i);
        };
        unsigned k = unsigned(std::min<size_t>(threads, n));
        std::vector<std::thread> pool;
        for (unsigned t = 1; t < k; ++t) pool.emplace_back(work);
        work();
        for (auto& t : pool) t.join();
    };

    // Phase 1: YAML documents.
    struct FileScratch {
        SplCollection c;
        std::vector<Pending> pending;
    };
    std::vector<FileScratch> scratch(files.size());
    parallel(files.size(), [&](size_t i) {
        std::string text;
        FileScratch& f = scratch[i];
        if (!read_file(files[i], text)) {
            SourceLoc l;
            l.file = std::make_shared<const std::string>(files[i]);
            add_diag(f.c, Severity::Error, "spl.io.read", "cannot read file", l);
            return;
        }
        read_document(text, files[i], f.c, f.pending);
    });
    std::vector<Pending> pending;
    for (auto& f : scratch) {
        merge_stats(out.stats, f.c.stats);
        for (auto& d : f.c.diagnostics) out.diagnostics.push_back(std::move(d));
        for (auto& [name, m] : f.c.macros.all()) out.macros.add(m);
        for (auto& [name, d] : f.c.data_sources) out.data_sources[name] = d;
        for (auto& p : f.pending) pending.push_back(std::move(p));
    }
    scratch.clear();

    // Phase 2: queries.
    struct RuleScratch {
        SplCollection c;
    };
    std::vector<RuleScratch> done(pending.size());
    parallel(pending.size(), [&](size_t i) { finish(pending[i], out, done[i].c); });
    for (auto& d : done) {
        merge_stats(out.stats, d.c.stats);
        for (auto& x : d.c.diagnostics) out.diagnostics.push_back(std::move(x));
        for (auto& r : d.c.rules) out.rules.push_back(std::move(r));
    }
}

std::vector<SplSearchTerm> spl_search_terms(const Rule& r) {
    std::vector<SplSearchTerm> out;
    for (const auto& [k, v] : r.custom) {
        if (k != "search_terms") continue;
        size_t tab = v.find('\t');
        if (tab == std::string::npos) continue;
        SplSearchTerm t;
        t.stage = std::strtoul(v.substr(0, tab).c_str(), nullptr, 10);
        t.term = v.substr(tab + 1);
        out.push_back(std::move(t));
    }
    return out;
}

}  // namespace sigil
