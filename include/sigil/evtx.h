// sigil/evtx.h — sigil's own reader for Windows XML Event Log (.evtx) files:
// streams every readable record of a file as a flat Event (the names Sigma
// rules use) or as a record that can also be rendered as XML or JSON.
// The format and the recovery rules are described in docs/evtx.md.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "sigil/event.h"
#include "sigil/ir.h"

namespace sigil {

// Knobs of the reader. Every resource limit is explicit and has its own
// diagnostic code when it is hit.
struct EvtxOptions {
    bool verify_checksums = true;         // CRC32 of file header, chunk header, chunk records
    bool recover_past_free_space = true;  // read well-formed records after the chunk's
                                          // free-space offset (dirty files)
    bool scan_for_records = true;         // after a damaged record, look for the next record magic
    bool recover_slack = false;           // also decode stale records left in a chunk's unused
                                          // space (from before the chunk was reused); they may
                                          // decode against a template that changed since
    uint32_t max_binxml_nesting = 16;     // embedded BinXML / template instance depth
    uint32_t max_element_depth = 128;     // XML element nesting inside one record
    uint32_t max_nodes_per_record = 1u << 16;  // tree nodes built for one record
    uint32_t max_diagnostics_per_code = 8;     // per file; the rest are counted in one summary
};

// What one read saw. `records_read` counts records handed to the sink.
struct EvtxStats {
    uint64_t file_bytes = 0;
    uint64_t chunks_total = 0;       // 64 KiB chunks present by file size
    uint64_t chunks_empty = 0;       // all-zero or unused chunks (skipped)
    uint64_t chunks_bad = 0;         // bad magic, bad header CRC or bad records CRC
    uint64_t records_read = 0;       // records parsed and handed to the sink
    uint64_t records_failed = 0;     // records found but not decodable
    uint64_t records_recovered = 0;  // of records_read: found by scanning or past free space
    uint64_t records_slack = 0;      // of records_recovered: stale records from unused space
    uint64_t templates = 0;          // template definitions compiled
    bool file_ok = true;             // false when the file could not be read at all
    bool stopped = false;            // the sink asked to stop

    EvtxStats& operator+=(const EvtxStats& o);
};

namespace evtx_detail {
struct Node;
}

// One decoded record, valid only during the callback that receives it.
class EvtxRecord {
  public:
    uint64_t record_id = 0;       // from the record header
    int64_t written_unix_ms = 0;  // record header write time
    uint64_t file_offset = 0;     // where the record starts in the file

    // Flat fields (see sigil/event.h); the Event's views point into memory
    // owned by the reader and stay valid during the callback only.
    const Event& event() const { return *event_; }
    // Render as Windows-style XML (indented, one element per line) or as one
    // line of JSON in the evtx_dump layout {"Event":{"System":{...},...}}.
    void append_xml(std::string& out) const;
    void append_json(std::string& out) const;

    const evtx_detail::Node* root_ = nullptr;  // the record's element tree
    const Event* event_ = nullptr;
};

using EvtxRecordSink = std::function<bool(const EvtxRecord&)>;  // false stops

// Stream every readable record of an .evtx file. Memory is bounded by one
// chunk, its template cache and one record's tree. Problems with the input are
// appended to `diags` (codes "evtx.*", documented in docs/evtx.md); the read
// goes on past them whenever anything is left to read.
EvtxStats read_evtx_file(const std::string& path, const EventSink& sink, Diagnostics& diags,
                         const EvtxOptions& opts = {});
EvtxStats read_evtx_records(const std::string& path, const EvtxRecordSink& sink, Diagnostics& diags,
                            const EvtxOptions& opts = {});

// The same over bytes already in memory (tests, fuzzing); `name` labels
// diagnostics and Event::source.
EvtxStats read_evtx_bytes(std::string_view bytes, const std::string& name,
                          const EvtxRecordSink& sink, Diagnostics& diags,
                          const EvtxOptions& opts = {});

}  // namespace sigil
