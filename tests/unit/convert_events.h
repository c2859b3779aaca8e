// tests/unit/convert_events.h — events and rules shared by the execution tests
// of the conversion targets (convert_exec_test.cpp, convert_pg_test.cpp): the
// SigmaHQ regression events flattened to Sigma field names, the conformance
// fixtures' events and rules, and the reference interpreter's verdicts.
#pragma once

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "sigil/eval.h"
#include "sigil/sigma.h"
#include "sigil/yaml.h"
#include "yaml_json.h"

namespace sigil::convert_test {

using nlohmann::json;
namespace fs = std::filesystem;

// Event.System / EventData / UserData → flat fields (Provider_Name style for attributes).
inline void flatten_into(const json& j, const std::string& name, json& out) {
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            if (it.key() == "#attributes") {
                for (auto a = it->begin(); a != it->end(); ++a) out[name + "_" + a.key()] = *a;
            } else if (it.key() == "#text") {
                out[name] = *it;
            } else {
                flatten_into(*it, it.key(), out);
            }
        }
    } else if (!j.is_array()) {
        out[name] = j;
    }
}

inline json flatten(const json& ev) {
    json out = json::object();
    const json& e = ev.contains("Event") ? ev["Event"] : ev;
    for (auto* part : {"System", "EventData", "UserData"})
        if (e.contains(part) && e[part].is_object()) flatten_into(e[part], part, out);
    return out;
}

inline std::vector<json> load_regression_events(const std::string& dir) {
    std::vector<json> evs;
    std::vector<fs::path> files;
    for (auto& f : fs::recursive_directory_iterator(dir))
        if (f.path().extension() == ".json") files.push_back(f.path());
    std::sort(files.begin(), files.end());
    for (auto& f : files) {
        std::ifstream in(f);
        json j = json::parse(in, nullptr, false);
        if (j.is_discarded()) continue;
        if (j.is_array()) {
            for (auto& x : j) evs.push_back(flatten(x));
        } else {
            evs.push_back(flatten(j));
        }
    }
    return evs;
}

// Nested objects become dotted keys (the interpreter looks a dotted name up
// the same way); false when the event has a list value, which a table row
// cannot hold.
inline bool flatten_dotted(const json& j, const std::string& prefix, json& out) {
    for (auto it = j.begin(); it != j.end(); ++it) {
        std::string k = prefix.empty() ? it.key() : prefix + "." + it.key();
        if (it->is_array()) return false;
        if (it->is_object()) {
            if (!flatten_dotted(*it, k, out)) return false;
        } else {
            out[k] = *it;
        }
    }
    return true;
}

// The conformance fixtures (tests/fixtures/conformance/*.yml): the detection
// rule of every case that has events, and those events (flat ones only).
struct Fixtures {
    std::vector<std::unique_ptr<SigmaCollection>> collections;  // own the rules
    std::vector<const Rule*> rules;
    std::vector<json> events;
    size_t events_skipped = 0;  // with list values
};

inline void load_fixtures(const std::string& dir, Fixtures& fx) {
    std::vector<std::string> files;
    for (auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".yml") files.push_back(e.path().string());
    std::sort(files.begin(), files.end());
    for (auto& f : files) {
        std::ifstream in(f);
        std::stringstream ss;
        ss << in.rdbuf();
        std::vector<YamlDocument> docs;
        Diagnostics d;
        if (!parse_yaml(ss.str(), std::make_shared<const std::string>(f), docs, d) ||
            docs.empty() || !docs[0].root.is_seq())
            continue;
        for (auto& c : docs[0].root.items) {
            const YamlNode* rule = c.get("rule");
            if (!rule || c.get("error")) continue;
            std::vector<json> evs;
            for (auto* key : {"match", "nomatch"})
                if (auto* v = c.get(key))
                    for (auto& e : v->items) evs.push_back(test::yaml_to_json(e));
            if (evs.empty()) continue;
            std::string text = rule->text;
            if (text.find("\n---") == std::string::npos) {
                if (text.find("title:") == std::string::npos)
                    text = "title: conformance case\n" + text;
                if (text.find("logsource:") == std::string::npos &&
                    text.find("correlation:") == std::string::npos)
                    text = "logsource:\n    product: test\n" + text;
            }
            auto col = std::make_unique<SigmaCollection>();
            load_sigma_text(text, f, *col);
            link_sigma_collection(*col);
            bool bad = false;
            for (auto& dg : col->diagnostics) bad |= dg.severity == Severity::Error;
            if (bad) continue;
            for (auto& r : col->rules)
                if (r.kind == RuleKind::Detection) fx.rules.push_back(&r);
            fx.collections.push_back(std::move(col));
            for (auto& e : evs) {
                json flat = json::object();
                if (e.is_object() && flatten_dotted(e, "", flat))
                    fx.events.push_back(std::move(flat));
                else
                    ++fx.events_skipped;
            }
        }
    }
}

// Every field a rule names (including field references), for table columns.
inline void rule_fields(const Rule& r, std::set<std::string>& cols) {
    std::vector<const Pred*> ps;
    for (auto& c : r.conditions) collect_preds(c, ps);
    for (auto* p : ps) {
        if (!p->field.empty()) cols.insert(p->field);
        if (p->op >= Op::FieldRef) cols.insert(p->value.s);
    }
}

// A JSON scalar as the text a table cell holds: numbers in their shortest
// decimal text (a whole float such as 4688.0 as 4688, the number the
// interpreter compares), booleans as true/false; false for null.
inline bool cell_text(const json& v, std::string& out) {
    if (v.is_string()) {
        out = v.get_ref<const std::string&>();
    } else if (v.is_boolean()) {
        out = v.get<bool>() ? "true" : "false";
    } else if (v.is_number_float() && v.get<double>() == double(int64_t(v.get<double>())) &&
               std::abs(v.get<double>()) < 1e15) {
        out = std::to_string(int64_t(v.get<double>()));
    } else if (v.is_number()) {
        out = v.dump();
    } else {
        return false;
    }
    return true;
}

}  // namespace sigil::convert_test
