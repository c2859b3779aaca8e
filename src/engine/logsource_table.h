// engine/logsource_table.h — the embedded Sigma logsource table (generated
// into logsource_table.cpp by scripts/gen_logsource_map.py).
#pragma once

#include <cstddef>

namespace sigil::engine_detail {

struct LogsourceRow {
    const char* product;
    const char* category;
    const char* service;
    const char* provider;
    const char* channel;
    const char* event_ids;  // comma-separated decimal ids; empty = any
};

extern const LogsourceRow kLogsourceRows[];
extern const size_t kLogsourceRowCount;

}  // namespace sigil::engine_detail
