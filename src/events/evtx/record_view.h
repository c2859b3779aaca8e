// events/evtx/record_view.h — the three views of a decoded record tree: flat
// Event fields (flatten.cpp), XML and JSON text (render.cpp).
#pragma once

#include <string>

#include "events/evtx/arena.h"
#include "events/evtx/tree.h"
#include "sigil/event.h"

namespace sigil::evtx_detail {

// Replaces ev.fields with the record's fields; sets ev.time_unix_ms from
// System/TimeCreated/@SystemTime when it is a FILETIME value, else from
// `written_filetime` (the record header). Strings it builds go to `arena`.
void flatten_record(const Node* doc, Event& ev, Arena& arena, uint64_t written_filetime);

void render_xml(const Node* doc, std::string& out);
void render_json(const Node* doc, std::string& out);

}  // namespace sigil::evtx_detail
