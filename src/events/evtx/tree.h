// events/evtx/tree.h — the element tree one EVTX record decodes into, and the
// value formatting that turns substitution values into text. Nodes live in the
// record arena; every string is UTF-8 and every view points into an arena.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "events/evtx/arena.h"

namespace sigil::evtx_detail {

// BinXML value types (the substitution descriptors' type byte).
enum ValueType : uint8_t {
    kNull = 0x00,
    kString = 0x01,
    kAnsiString = 0x02,
    kInt8 = 0x03,
    kUInt8 = 0x04,
    kInt16 = 0x05,
    kUInt16 = 0x06,
    kInt32 = 0x07,
    kUInt32 = 0x08,
    kInt64 = 0x09,
    kUInt64 = 0x0a,
    kReal32 = 0x0b,
    kReal64 = 0x0c,
    kBool = 0x0d,
    kBinary = 0x0e,
    kGuid = 0x0f,
    kSizeT = 0x10,
    kFileTime = 0x11,
    kSysTime = 0x12,
    kSid = 0x13,
    kHexInt32 = 0x14,
    kHexInt64 = 0x15,
    kEvtHandle = 0x20,
    kBinXml = 0x21,
    kEvtXml = 0x23,
    kArrayFlag = 0x80,
    kLiteral = 0xFF,  // text written in the template itself, not a substitution
};

enum class NodeKind : uint8_t { Element, Text, CData, PI, Array };

struct Node;

struct Attr {
    std::string_view name;
    Node* first = nullptr;  // value pieces (Text / Array nodes)
    Node* last = nullptr;
    Attr* next = nullptr;
};

// Element: name, attributes, children (elements and text pieces in order).
// Text / CData: `text`, with the value type it came from and, for FILETIME,
// the raw 64-bit value. Array: one substitution of an array type; its children
// are the items (Text nodes). PI: `name` is the target, `text` the data.
struct Node {
    NodeKind kind = NodeKind::Element;
    uint8_t vtype = kLiteral;
    bool is_null = false;
    std::string_view name;
    std::string_view text;
    uint64_t raw = 0;
    Attr* attrs = nullptr;
    Attr* attrs_last = nullptr;
    Node* first = nullptr;
    Node* last = nullptr;
    Node* next = nullptr;

    // Placement in an arena without the value-initialisation the compiler turns
    // into a slow `rep stos` for this size.
    static Node* create(Arena& a, NodeKind k) {
        Node* n = static_cast<Node*>(a.alloc(sizeof(Node), alignof(Node)));
        n->kind = k;
        n->vtype = kLiteral;
        n->is_null = false;
        n->name = {};
        n->text = {};
        n->raw = 0;
        n->attrs = nullptr;
        n->attrs_last = nullptr;
        n->first = nullptr;
        n->last = nullptr;
        n->next = nullptr;
        return n;
    }

    void append(Node* c) {
        if (last)
            last->next = c;
        else
            first = c;
        last = c;
    }
    bool has_element_children() const {
        for (Node* c = first; c; c = c->next)
            if (c->kind == NodeKind::Element) return true;
        return false;
    }
};

// Append the text of a value of `type` (scalar, not array, not BinXML) held in
// `p[0..size)` to a new Text node. Malformed sizes fall back to hexadecimal
// bytes instead of failing the record. `raw` receives FILETIME values.
Node* make_value_node(uint8_t type, const uint8_t* p, size_t size, Arena& arena);
// An array value (type has kArrayFlag): an Array node with one Text child per item.
Node* make_array_node(uint8_t type, const uint8_t* p, size_t size, Arena& arena);

// FILETIME (100 ns ticks since 1601-01-01) → "YYYY-MM-DDTHH:MM:SS.fffffffZ".
std::string_view format_filetime(uint64_t ft, Arena& arena);
int64_t filetime_to_unix_ms(uint64_t ft);

}  // namespace sigil::evtx_detail
