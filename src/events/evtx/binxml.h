// events/evtx/binxml.h — the BinXML decoder of one chunk: compiles token
// streams and template definitions into flat op lists, caches templates per
// chunk, and instantiates a record's tree from its template values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "events/evtx/arena.h"
#include "events/evtx/tree.h"
#include "sigil/evtx.h"

namespace sigil::evtx_detail {

enum class OpCode : uint8_t {
    Open,        // s = element name
    Attr,        // s = attribute name
    CloseStart,  // '>' of a start tag
    CloseEmpty,  // '/>'
    End,         // end tag
    Text,        // s = literal text
    CData,       // s = CDATA text
    CharRef,     // a = code point
    EntityRef,   // s = entity name
    PITarget,    // s = target
    PIData,      // s = data
    Subst,       // a = value index, type = declared type, optional flag in b
    Instance,    // a = template definition offset, b = first value, c = value count
    EndOfStream,
};

struct Op {
    Op(OpCode c = OpCode::EndOfStream) : code(c) {}
    OpCode code;
    uint8_t type = 0;
    uint32_t a = 0, b = 0, c = 0;
    std::string_view s;
};

// One template value of an instance: where its bytes are in the chunk.
struct ValueRef {
    uint32_t off;
    uint16_t size;
    uint8_t type;
};

// A compiled template definition (or a failure remembered so it is not retried).
struct Template {
    const Op* ops = nullptr;
    uint32_t n = 0;
    bool ok = false;
    const char* error_code = nullptr;
    std::string_view error;
};

struct DecodeError {
    const char* code = nullptr;  // stable diagnostic code
    std::string message;
};

class ChunkDecoder {
  public:
    explicit ChunkDecoder(const EvtxOptions& opts) : opts_(opts) {}

    // Start a chunk: `data` must stay valid until the next begin_chunk.
    void begin_chunk(const uint8_t* data, uint32_t size);
    // Decode the BinXML of one record, chunk offsets [begin, end). Returns the
    // document node (its element children are the record's root elements) or
    // nullptr with `err` set. Tree memory is the record arena, reset here.
    Node* decode_record(uint32_t begin, uint32_t end, DecodeError& err);

    Arena& record_arena() { return record_arena_; }
    uint64_t templates_compiled() const { return templates_compiled_; }

  private:
    bool compile(uint32_t pos, uint32_t end, bool in_template, Arena& arena, const Op*& ops,
                 uint32_t& nops, const ValueRef*& vals, uint32_t& nvals, DecodeError& err);
    bool read_name(uint32_t& pos, uint32_t end, std::string_view& name, DecodeError& err);
    bool name_ref_plausible(uint32_t name_off, uint32_t after) const;
    const Template* get_template(uint32_t def_off, DecodeError& err);
    bool exec(const Op* ops, uint32_t nops, const ValueRef* vals, uint32_t nvals, Node* parent,
              uint32_t depth, DecodeError& err);
    bool add_substitution(const ValueRef& v, bool optional, Node* top, Attr* attr, uint32_t depth,
                          DecodeError& err);
    Node* new_node(DecodeError& err);

    const EvtxOptions& opts_;
    const uint8_t* data_ = nullptr;
    uint32_t size_ = 0;
    Arena chunk_arena_{64 * 1024};
    Arena record_arena_{32 * 1024};
    std::unordered_map<uint32_t, std::string_view> names_;
    std::unordered_map<uint32_t, Template*> templates_;
    std::vector<Op> scratch_ops_;
    std::vector<ValueRef> scratch_vals_;
    uint32_t nodes_ = 0;
    uint64_t templates_compiled_ = 0;
};

}  // namespace sigil::evtx_detail
