// fuzz/evtx_bytes.cpp — libFuzzer target: an .evtx file's bytes through
// read_evtx_bytes, every record flattened to an Event, rendered as XML and
// JSON, and converted to the JSON object the reference interpreter reads.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_common.h"
#include "sigil/evtx.h"

using namespace sigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view bytes(reinterpret_cast<const char*>(data), size);
    EvtxOptions opts;
    opts.recover_slack = true;  // the most code: stale records in unused space too
    Diagnostics diags;
    std::string xml, json;
    uint64_t seen = 0;
    EvtxStats st = read_evtx_bytes(
        bytes, "fuzz.evtx",
        [&](const EvtxRecord& rec) {
            ++seen;
            xml.clear();
            json.clear();
            rec.append_xml(xml);
            rec.append_json(json);
            if (json.empty() || json.front() != '{' || json.back() != '}')
                fuzz::fail("record JSON is not an object", json);
            // The JSON rendering must be valid JSON.
            if (!nlohmann::json::accept(json)) fuzz::fail("record JSON does not parse", json);
            // Not checked: fields with an empty name. A BinXML element may have
            // an empty name; the reader keeps it (a field "" and "</>" in the
            // XML). Open question for the EVTX reader, docs/hardening.md.
            (void)rec.event().to_json();
            return true;
        },
        diags, opts);
    fuzz::check_diagnostics(diags);
    if (st.records_read != seen) fuzz::fail("records_read differs from records handed over");
    if (st.file_bytes != size) fuzz::fail("file_bytes differs from the input size");
    return 0;
}
