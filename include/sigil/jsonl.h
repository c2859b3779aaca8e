// sigil/jsonl.h — the JSON event reader: JSON lines, concatenated (pretty
// printed) documents and top-level arrays, in the evtx_dump, flat
// (Sysmon/Security as exported by NXLog/OTRF) and ECS/Winlogbeat layouts,
// streamed into sigil::Event with the field names Sigma rules use.
// docs/engine.md ("JSON input") states the naming rules.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "sigil/event.h"
#include "sigil/ir.h"

namespace sigil {

// How a document's keys become field names.
//   Auto      per document: a top-level "Event" object is read as evtx_dump,
//             a top-level "winlog" object as ECS, everything else as flat
//   EvtxDump  {"Event":{"System":{...},"EventData":{...}}}: System children by
//             name, attributes as Element_Attribute (Provider_Name,
//             TimeCreated_SystemTime), "#text" as the element's value, data
//             sections (EventData, UserData) by leaf name
//   Flat      top-level keys as they are; nested objects as dotted paths; when
//             absent, Provider_Name is taken from SourceName and Computer
//             from Hostname (NXLog/OTRF exports)
//   Ecs       winlog.event_data.* / winlog.user_data.* by leaf name,
//             winlog.channel → Channel, winlog.event_id → EventID,
//             winlog.provider_name → Provider_Name, winlog.computer_name →
//             Computer, winlog.record_id → EventRecordID; the rest dotted
enum class JsonLayout : uint8_t { Auto, EvtxDump, Flat, Ecs };
const char* json_layout_name(JsonLayout l);
bool parse_json_layout(std::string_view s, JsonLayout& out);

struct JsonReadOptions {
    JsonLayout layout = JsonLayout::Auto;
    size_t max_document_bytes = 64u << 20;  // one document (line); larger ones are skipped
    uint32_t max_depth = 64;                // object/array nesting that is flattened
    uint32_t max_diagnostics = 16;          // per file; the rest are counted in one summary
};

struct JsonReadStats {
    uint64_t bytes = 0;
    uint64_t documents = 0;                     // documents seen (good or bad)
    uint64_t events = 0;                        // events handed to the sink
    uint64_t bad_documents = 0;                 // not JSON, not an object, or too large
    uint64_t evtx_dump = 0, flat = 0, ecs = 0;  // events per layout
    bool file_ok = true;                        // false when the file could not be opened or read
    bool stopped = false;                       // the sink asked to stop
};

// Streams every JSON object of a file as an Event. Memory is bounded by the
// read block plus the largest document. Bad documents are diagnostics
// ("jsonl.*" codes, with the document's line) and reading goes on.
// Event::record_id is the 1-based line where the document starts; Event::raw
// is the document's text; Event::time_unix_ms is parsed from the event's
// time field (TimeCreated_SystemTime, @timestamp, UtcTime, EventTime, ...).
JsonReadStats read_json_file(const std::string& path, const EventSink& sink, Diagnostics& diags,
                             const JsonReadOptions& opts = {});
// The same over bytes in memory (tests, fuzzing); `name` labels diagnostics.
JsonReadStats read_json_bytes(std::string_view bytes, const std::string& name,
                              const EventSink& sink, Diagnostics& diags,
                              const JsonReadOptions& opts = {});

// "2021-10-20T13:39:12.731904Z", "2020-06-09 22:50:54", "...+02:00" → Unix
// milliseconds (UTC when no zone is given). False when it is not a timestamp.
bool parse_timestamp(std::string_view s, int64_t& unix_ms);

}  // namespace sigil
