// fuzz/sigma_rule.cpp — libFuzzer target: a Sigma YAML file through the whole
// front-end (load_sigma_text, then filters and correlation links, the
// collection validators and the IR normal form and printer of every rule).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.h"
#include "sigil/sigma.h"
#include "sigil/validate.h"

using namespace sigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    SigmaCollection c;
    load_sigma_text(text, "fuzz.yml", c);
    link_sigma_collection(c);
    validate_collection(c.rules, c.diagnostics);
    fuzz::check_diagnostics(c.diagnostics);
    for (auto& r : c.rules) {
        ExprPtr e = r.expr();
        if (!e) continue;
        ExprPtr n = normalize(e);
        // The normal form is a fixed point: normalizing again changes nothing.
        if (!same_logic(n, normalize(n))) fuzz::fail("normalize is not idempotent", to_string(e));
        (void)to_string(n);
    }
    return 0;
}
