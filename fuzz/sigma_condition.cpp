// fuzz/sigma_condition.cpp — libFuzzer target: the Sigma condition grammar.
// The input is a condition string; it is placed (escaped) into a fixed rule
// with several search identifiers and into a temporal correlation's extended
// condition, the rule is loaded and evaluated by the reference interpreter.
#include <cstddef>
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "sigil/eval.h"
#include "sigil/sigma.h"

using namespace sigil;

namespace {

/* Why the input is escaped rather than pasted: pasted raw, most inputs would
 * break the YAML around them and never reach the condition parser. As a YAML
 * double-quoted scalar with \xNN escapes every byte string is a valid scalar,
 * so the fuzzer spends its time on the grammar (bytes >= 0x80 arrive as the
 * code points U+0080..U+00FF, still exercising the tokenizer's "bad
 * character" path).
 */
std::string yaml_quote(std::string_view s) {
    static const char* hex = "0123456789abcdef";
    std::string q = "\"";
    for (unsigned char c : s) {
        if (c == '"' || c == '\\') {
            q += '\\';
            q += char(c);
        } else if (c < 0x20 || c >= 0x7f) {
            q += "\\x";
            q += hex[c >> 4];
            q += hex[c & 15];
        } else {
            q += char(c);
        }
    }
    return q + "\"";
}

const nlohmann::json& events() {
    static const nlohmann::json e = nlohmann::json::array({
        {{"Image", "C:\\Windows\\System32\\cmd.exe"},
         {"CommandLine", "cmd.exe /c whoami"},
         {"EventID", 1},
         {"User", "NT AUTHORITY\\SYSTEM"}},
        {{"Image", "C:\\x\\mimikatz.exe"}, {"CommandLine", "mimi-katz"}, {"EventID", 4688}},
        {{"ParentImage", nullptr}, {"EventID", "1"}, {"User", "bob"}},
        nlohmann::json::object(),
    });
    return e;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view cond(reinterpret_cast<const char*>(data), size);
    std::string q = yaml_quote(cond);
    std::string text =
        "title: fuzz condition\n"
        "name: fuzz_rule\n"
        "logsource: {product: windows, category: process_creation}\n"
        "detection:\n"
        "  sel: {Image|endswith: '\\cmd.exe'}\n"
        "  sel1: {CommandLine|contains: whoami}\n"
        "  sel2: {EventID: [1, 4688]}\n"
        "  selection_re: {CommandLine|re: '^c.*i$'}\n"
        "  filter_main: {User|startswith: 'NT AUTHORITY'}\n"
        "  filter_opt: {ParentImage: null}\n"
        "  keywords: [evil, 'mimi*katz']\n"
        "  condition: " +
        q +
        "\n---\n"
        "title: fuzz correlation\n"
        "correlation:\n"
        "  type: temporal\n"
        "  rules: [fuzz_rule, sel, sel1]\n"
        "  group-by: [User]\n"
        "  timespan: 5m\n"
        "  condition: " +
        q + "\n";
    SigmaCollection c;
    load_sigma_text(text, "fuzz.yml", c);
    link_sigma_collection(c);
    fuzz::check_diagnostics(c.diagnostics);
    for (auto& r : c.rules) {
        if (r.kind != RuleKind::Detection) continue;
        ExprPtr e = r.expr();
        if (!e) continue;
        ExprPtr n = normalize(e);
        // The normal form keeps the logic: same verdict on every event.
        for (auto& ev : events()) {
            bool a = evaluate(e, ev), b = evaluate(n, ev);
            if (a != b) fuzz::fail("normalize changed a verdict", to_string(e) + "\n" + ev.dump());
            if (rule_matches(r, ev) != a) fuzz::fail("rule_matches disagrees with expr()");
        }
    }
    return 0;
}
