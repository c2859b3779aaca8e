// fuzz/spl_yaml.cpp — libFuzzer target: one Splunk detection YAML file
// (security_content detection, macro or data source; Armory SPL or SQL rule)
// through load_splunk_text, loaded after a fixed macro file so detections can
// expand it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_common.h"
#include "sigil/spl.h"

using namespace sigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    SplCollection c;
    load_splunk_text(
        "definition: (sourcetype=XmlWinEventLog OR source=*Sysmon*)\n"
        "description: fuzz macro\nname: sysmon\n",
        "macros/sysmon.yml", c);
    load_splunk_text(text, "detections/endpoint/fuzz.yml", c);
    fuzz::check_diagnostics(c.diagnostics);
    for (auto& r : c.rules) {
        ExprPtr e = r.expr();
        if (e) (void)to_string(normalize(e));
        (void)spl_search_terms(r);
    }
    return 0;
}
