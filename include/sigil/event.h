// sigil/event.h — one event as every event source (EVTX, JSON lines) hands it
// to the engine and the reference interpreter: a flat list of named fields.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sigil {

// Field names are the leaf names Sigma rules use: for Windows events the
// System elements and attributes (EventID, Channel, Provider_Name, Computer,
// Level, EventRecordID, TimeCreated_SystemTime, Security_UserID, ...) and the
// EventData/UserData entries by their Name (Image, CommandLine, ...). Several
// fields with the same name make a multi-valued field. Values are UTF-8 text;
// `is_null` marks an explicit null (JSON null, empty substitution of type NULL).
struct EventField {
    std::string_view name;
    std::string_view value;
    bool is_null = false;
};

// Views stay valid only during the callback that receives the Event.
struct Event {
    std::vector<EventField> fields;
    std::string_view source;    // file path
    uint64_t record_id = 0;     // EVTX record number or 1-based line number
    int64_t time_unix_ms = 0;   // event time (0 if unknown)
    std::string_view raw;       // the original text when the source has one (JSON line)

    // First field with this exact name, or nullptr.
    const EventField* find(std::string_view name) const {
        for (auto& f : fields)
            if (f.name == name) return &f;
        return nullptr;
    }
    // A JSON object of the fields (repeated names become arrays); what the
    // reference interpreter evaluates.
    nlohmann::json to_json() const;
};

using EventSink = std::function<bool(const Event&)>;  // return false to stop

}  // namespace sigil
