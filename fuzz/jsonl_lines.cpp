// fuzz/jsonl_lines.cpp — libFuzzer target: bytes through the JSON event reader
// (JSON lines, concatenated documents, arrays) in the layout picked by the
// first byte (auto, evtx_dump, flat, ECS), each event turned into the JSON the
// reference interpreter reads. Invariants: the stats count what the sink saw,
// every event's line is inside the input, its raw text is no longer than the
// input, and its JSON rendering parses.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "fuzz_common.h"
#include "sigil/jsonl.h"

using namespace sigil;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    static const JsonLayout layouts[] = {JsonLayout::Auto, JsonLayout::EvtxDump, JsonLayout::Flat,
                                         JsonLayout::Ecs};
    JsonReadOptions opts;
    opts.layout = layouts[data[0] % 4];
    opts.max_document_bytes = 8192;  // so the too-large path is reached too
    std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
    uint64_t lines = 1;
    for (char c : bytes) lines += c == '\n';
    uint64_t seen = 0;
    Diagnostics diags;
    JsonReadStats st = read_json_bytes(
        bytes, "fuzz.jsonl",
        [&](const Event& ev) {
            ++seen;
            if (ev.record_id < 1 || ev.record_id > lines)
                fuzz::fail("event line outside the input", std::to_string(ev.record_id));
            if (ev.raw.empty() || ev.raw.size() > bytes.size())
                fuzz::fail("event raw text empty or longer than the input");
            std::string j =
                ev.to_json().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            if (!nlohmann::json::accept(j)) fuzz::fail("event JSON does not parse", j);
            return true;
        },
        diags, opts);
    fuzz::check_diagnostics(diags);
    if (st.events != seen) fuzz::fail("stats.events differs from the events handed over");
    if (st.bytes != bytes.size()) fuzz::fail("stats.bytes differs from the input size");
    if (st.evtx_dump + st.flat + st.ecs != st.events) fuzz::fail("layout counts do not add up");
    return 0;
}
