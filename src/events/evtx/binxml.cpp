// events/evtx/binxml.cpp — BinXML token decoding, template compilation and
// instantiation for one chunk.
//
// How it works
// ------------
// A record's BinXML is almost always: fragment header, one template instance
// (a reference to a template definition stored somewhere earlier in the same
// chunk, followed by the instance's typed values), end of stream. The template
// definition is itself BinXML: elements, attributes and literal text with
// "substitution" tokens where the instance's values go.
//
// Decoding happens in two steps that share one token reader, `compile`:
//  1. compile turns a byte range into a flat list of Ops: names resolved to
//     UTF-8 (cached per chunk by name offset), literal text already UTF-8, and
//     for a template instance the position/size/type of each value. For a
//     template definition the op list is stored in the chunk arena and cached
//     by the definition's offset, so a template used by 100 records of a chunk
//     is decoded once. For a record (or an embedded BinXML value) the op list
//     goes to the record arena.
//  2. exec walks an op list and builds the record's element tree. A
//     substitution op formats the matching value (values.cpp); a value of type
//     BinXML (0x21) is compiled and executed in place, which is how EventData
//     and UserData of many providers arrive; an Instance op executes the cached
//     template with the instance's values.
//
// Robustness: every read is bounds-checked against the range being decoded and
// against the chunk; offsets (names, templates) must lie inside the chunk;
// nesting of embedded BinXML, element depth and the number of tree nodes per
// record are limited (EvtxOptions), so a corrupt or hostile record ends in a
// DecodeError, never an out-of-bounds read, unbounded recursion or a hang.
// A template definition may not contain a template instance; that keeps the
// template cache free of cycles.
#include "events/evtx/binxml.h"

#include <cstdio>

#include "events/evtx/text.h"

namespace sigil::evtx_detail {

namespace {

enum Token : uint8_t {
    kEof = 0x00,
    kOpenStart = 0x01,
    kCloseStart = 0x02,
    kCloseEmpty = 0x03,
    kEndElement = 0x04,
    kValue = 0x05,
    kAttribute = 0x06,
    kCData = 0x07,
    kCharRef = 0x08,
    kEntityRef = 0x09,
    kPITarget = 0x0a,
    kPIData = 0x0b,
    kTemplateInstance = 0x0c,
    kNormalSubst = 0x0d,
    kOptionalSubst = 0x0e,
    kFragmentHeader = 0x0f,
};
constexpr uint8_t kMoreFlag = 0x40;

bool fail(DecodeError& err, const char* code, const char* fmt, unsigned long long a = 0,
          unsigned long long b = 0) {
    char buf[200];
    std::snprintf(buf, sizeof buf, fmt, a, b);
    err.code = code;
    err.message = buf;
    return false;
}

}  // namespace

void ChunkDecoder::begin_chunk(const uint8_t* data, uint32_t size) {
    data_ = data;
    size_ = size;
    names_.clear();
    templates_.clear();
    chunk_arena_.reset();
}

// A name reference is plausible when it points at the bytes right after the
// offset field (the name is stored inline) or at a complete name structure
// earlier in the chunk (names are defined inline at first use).
bool ChunkDecoder::name_ref_plausible(uint32_t off, uint32_t after) const {
    if (off == after) return static_cast<uint64_t>(off) + 8 <= size_;
    if (off >= after || static_cast<uint64_t>(off) + 8 > size_) return false;
    uint64_t chars = le16(data_ + off + 6);
    return off + 8 + 2 * chars + 2 <= size_;
}

// Name structure: u32 (next in hash bucket), u16 hash, u16 character count,
// UTF-16LE characters, NUL. Reads the u32 offset at `pos`; when the name is
// inline, skips over it.
bool ChunkDecoder::read_name(uint32_t& pos, uint32_t end, std::string_view& name,
                             DecodeError& err) {
    if (static_cast<uint64_t>(pos) + 4 > end)
        return fail(err, "evtx.binxml.truncated", "name offset past the end at 0x%llx", pos);
    uint32_t off = le32(data_ + pos);
    pos += 4;
    if (static_cast<uint64_t>(off) + 8 > size_)
        return fail(err, "evtx.binxml.bad_offset", "name offset 0x%llx outside the chunk", off);
    uint64_t chars = le16(data_ + off + 6);
    uint64_t total = 8 + 2 * chars + 2;
    if (off + total > size_)
        return fail(err, "evtx.binxml.bad_offset", "name at 0x%llx runs past the chunk", off);
    if (off == pos) {
        if (pos + total > end)
            return fail(err, "evtx.binxml.truncated", "inline name at 0x%llx runs past its data",
                        off);
        pos += static_cast<uint32_t>(total);
    }
    auto it = names_.find(off);
    if (it != names_.end()) {
        name = it->second;
        return true;
    }
    name = utf16_to_utf8(data_ + off + 8, chars, chunk_arena_, true);
    names_.emplace(off, name);
    return true;
}

bool ChunkDecoder::compile(uint32_t pos, uint32_t end, bool in_template, Arena& arena,
                           const Op*& ops, uint32_t& nops, const ValueRef*& vals, uint32_t& nvals,
                           DecodeError& err) {
    scratch_ops_.clear();
    scratch_vals_.clear();
    auto need = [&](uint64_t n) { return static_cast<uint64_t>(pos) + n <= end; };
    auto text = [&](OpCode code) -> bool {
        if (!need(2))
            return fail(err, "evtx.binxml.truncated", "text length past the end at 0x%llx", pos);
        uint64_t chars = le16(data_ + pos);
        pos += 2;
        if (!need(2 * chars))
            return fail(err, "evtx.binxml.truncated",
                        "text of %llu characters runs past the end at 0x%llx", chars, pos);
        Op op{code};
        op.s = utf16_to_utf8(data_ + pos, chars, arena, false);
        pos += static_cast<uint32_t>(2 * chars);
        scratch_ops_.push_back(op);
        return true;
    };
    bool done = false;
    while (!done && pos < end) {
        uint8_t tok = data_[pos];
        uint32_t at = pos++;
        switch (tok & ~kMoreFlag) {
            case kEof:
                scratch_ops_.push_back(Op{OpCode::EndOfStream});
                done = true;
                break;
            case kFragmentHeader:
                if (!need(3))
                    return fail(err, "evtx.binxml.truncated", "fragment header at 0x%llx", at);
                pos += 3;
                break;
            case kOpenStart: {
                // [u16 dependency id] u32 data size, u32 name offset, [u32 attribute list size].
                // Template definitions carry the dependency id, other streams do not;
                // when the expected layout gives an implausible name offset, the other
                // layout is tried.
                bool dep = in_template;
                auto name_at = [&](bool with_dep) -> bool {
                    uint32_t p = pos + (with_dep ? 6 : 4);
                    if (static_cast<uint64_t>(p) + 4 > end) return false;
                    return name_ref_plausible(le32(data_ + p), p + 4);
                };
                if (!name_at(dep)) {
                    if (!name_at(!dep))
                        return fail(err, "evtx.binxml.bad_element",
                                    "unreadable element start at 0x%llx", at);
                    dep = !dep;
                }
                pos += dep ? 6 : 4;
                Op op{OpCode::Open};
                if (!read_name(pos, end, op.s, err)) return false;
                if (tok & kMoreFlag) {
                    if (!need(4))
                        return fail(err, "evtx.binxml.truncated", "attribute list at 0x%llx", pos);
                    pos += 4;
                }
                scratch_ops_.push_back(op);
                break;
            }
            case kCloseStart:
                if (tok & kMoreFlag)
                    return fail(err, "evtx.binxml.bad_token", "bad token 0x%llx at 0x%llx", tok,
                                at);
                scratch_ops_.push_back(Op{OpCode::CloseStart});
                break;
            case kCloseEmpty:
                if (tok & kMoreFlag)
                    return fail(err, "evtx.binxml.bad_token", "bad token 0x%llx at 0x%llx", tok,
                                at);
                scratch_ops_.push_back(Op{OpCode::CloseEmpty});
                break;
            case kEndElement:
                if (tok & kMoreFlag)
                    return fail(err, "evtx.binxml.bad_token", "bad token 0x%llx at 0x%llx", tok,
                                at);
                scratch_ops_.push_back(Op{OpCode::End});
                break;
            case kValue: {
                if (!need(1)) return fail(err, "evtx.binxml.truncated", "value at 0x%llx", at);
                uint8_t vt = data_[pos++];
                if (vt != kString)
                    return fail(err, "evtx.binxml.unsupported_value",
                                "value token of type 0x%llx at 0x%llx", vt, at);
                if (!text(OpCode::Text)) return false;
                break;
            }
            case kAttribute: {
                Op op{OpCode::Attr};
                if (!read_name(pos, end, op.s, err)) return false;
                scratch_ops_.push_back(op);
                break;
            }
            case kCData:
                if (!text(OpCode::CData)) return false;
                break;
            case kCharRef: {
                if (!need(2))
                    return fail(err, "evtx.binxml.truncated", "character reference at 0x%llx", at);
                Op op{OpCode::CharRef};
                op.a = le16(data_ + pos);
                pos += 2;
                scratch_ops_.push_back(op);
                break;
            }
            case kEntityRef: {
                Op op{OpCode::EntityRef};
                if (!read_name(pos, end, op.s, err)) return false;
                scratch_ops_.push_back(op);
                break;
            }
            case kPITarget: {
                Op op{OpCode::PITarget};
                if (!read_name(pos, end, op.s, err)) return false;
                scratch_ops_.push_back(op);
                break;
            }
            case kPIData:
                if (!text(OpCode::PIData)) return false;
                break;
            case kTemplateInstance: {
                if (in_template)
                    return fail(err, "evtx.template.nested",
                                "template instance inside a template definition at 0x%llx", at);
                // u8 unknown, u32 template id, u32 definition offset, [inline definition],
                // u32 value count, count x (u16 size, u8 type, u8 0), values.
                if (!need(9))
                    return fail(err, "evtx.binxml.truncated", "template instance at 0x%llx", at);
                uint32_t def = le32(data_ + pos + 5);
                pos += 9;
                if (def == pos) {
                    if (!need(24))
                        return fail(err, "evtx.binxml.truncated", "template definition at 0x%llx",
                                    pos);
                    uint64_t dsize = le32(data_ + pos + 20);
                    if (!need(24 + dsize))
                        return fail(err, "evtx.template.bad_size",
                                    "template definition at 0x%llx claims %llu bytes", pos, dsize);
                    pos += static_cast<uint32_t>(24 + dsize);
                }
                if (static_cast<uint64_t>(def) + 24 > size_)
                    return fail(err, "evtx.template.bad_offset",
                                "template offset 0x%llx outside the chunk", def);
                if (!need(4))
                    return fail(err, "evtx.binxml.truncated", "template values at 0x%llx", pos);
                uint64_t count = le32(data_ + pos);
                pos += 4;
                if (!need(4 * count))
                    return fail(err, "evtx.template.bad_values",
                                "%llu template values do not fit at 0x%llx", count, pos);
                Op op{OpCode::Instance};
                op.a = def;
                op.b = static_cast<uint32_t>(scratch_vals_.size());
                op.c = static_cast<uint32_t>(count);
                uint32_t desc = pos;
                pos += static_cast<uint32_t>(4 * count);
                for (uint64_t i = 0; i < count; ++i) {
                    ValueRef v;
                    v.size = le16(data_ + desc + 4 * i);
                    v.type = data_[desc + 4 * i + 2];
                    v.off = pos;
                    if (!need(v.size))
                        return fail(err, "evtx.template.bad_values",
                                    "template value %llu runs past the end at 0x%llx", i, pos);
                    pos += v.size;
                    scratch_vals_.push_back(v);
                }
                scratch_ops_.push_back(op);
                break;
            }
            case kNormalSubst:
            case kOptionalSubst: {
                if (tok & kMoreFlag)
                    return fail(err, "evtx.binxml.bad_token", "bad token 0x%llx at 0x%llx", tok,
                                at);
                if (!need(3))
                    return fail(err, "evtx.binxml.truncated", "substitution at 0x%llx", at);
                Op op{OpCode::Subst};
                op.a = le16(data_ + pos);
                op.type = data_[pos + 2];
                op.b = (tok == kOptionalSubst);
                pos += 3;
                scratch_ops_.push_back(op);
                break;
            }
            default:
                return fail(err, "evtx.binxml.bad_token", "unknown token 0x%llx at 0x%llx", tok,
                            at);
        }
    }
    nops = static_cast<uint32_t>(scratch_ops_.size());
    Op* o = arena.make_array<Op>(nops);
    for (uint32_t i = 0; i < nops; ++i) o[i] = scratch_ops_[i];
    ops = o;
    nvals = static_cast<uint32_t>(scratch_vals_.size());
    ValueRef* v = static_cast<ValueRef*>(
        arena.alloc(sizeof(ValueRef) * (nvals ? nvals : 1), alignof(ValueRef)));
    for (uint32_t i = 0; i < nvals; ++i) v[i] = scratch_vals_[i];
    vals = v;
    return true;
}

// Template definition at `def`: u32 next offset, 16-byte GUID, u32 data size,
// then `data size` bytes of BinXML (fragment header, element, end of stream).
const Template* ChunkDecoder::get_template(uint32_t def, DecodeError& err) {
    auto it = templates_.find(def);
    Template* t;
    if (it != templates_.end()) {
        t = it->second;
    } else {
        t = chunk_arena_.make<Template>();
        templates_.emplace(def, t);
        uint64_t dsize = le32(data_ + def + 20);
        uint64_t start = static_cast<uint64_t>(def) + 24;
        if (start + dsize > size_) {
            t->error_code = "evtx.template.bad_size";
            char buf[120];
            std::snprintf(buf, sizeof buf, "template at 0x%x claims %llu bytes past the chunk end",
                          def, static_cast<unsigned long long>(dsize));
            t->error = chunk_arena_.copy(buf);
        } else {
            const ValueRef* vals;
            uint32_t nvals;
            DecodeError e;
            if (compile(static_cast<uint32_t>(start), static_cast<uint32_t>(start + dsize), true,
                        chunk_arena_, t->ops, t->n, vals, nvals, e)) {
                t->ok = true;
                ++templates_compiled_;
            } else {
                t->error_code = e.code;
                t->error = chunk_arena_.copy("template at 0x" + [&] {
                    char b[16];
                    std::snprintf(b, sizeof b, "%x", def);
                    return std::string(b);
                }() + ": " + e.message);
            }
        }
    }
    if (!t->ok) {
        err.code = t->error_code;
        err.message = std::string(t->error);
        return nullptr;
    }
    return t;
}

Node* ChunkDecoder::new_node(DecodeError& err) {
    if (++nodes_ > opts_.max_nodes_per_record) {
        fail(err, "evtx.record.too_many_nodes", "record needs more than %llu tree nodes",
             opts_.max_nodes_per_record);
        return nullptr;
    }
    return Node::create(record_arena_, NodeKind::Element);
}

Node* ChunkDecoder::decode_record(uint32_t begin, uint32_t end, DecodeError& err) {
    record_arena_.reset();
    nodes_ = 0;
    if (end > size_ || begin > end) {
        fail(err, "evtx.record.bad_size", "record data 0x%llx..0x%llx outside the chunk", begin,
             end);
        return nullptr;
    }
    const Op* ops;
    uint32_t nops;
    const ValueRef* vals;
    uint32_t nvals;
    if (!compile(begin, end, false, record_arena_, ops, nops, vals, nvals, err)) return nullptr;
    Node* doc = Node::create(record_arena_, NodeKind::Element);
    if (!exec(ops, nops, vals, nvals, doc, 0, err)) return nullptr;
    if (!doc->has_element_children()) {
        fail(err, "evtx.record.empty", "record at 0x%llx has no element", begin);
        return nullptr;
    }
    return doc;
}

bool ChunkDecoder::add_substitution(const ValueRef& v, bool optional, Node* top, Attr* attr,
                                    uint32_t depth, DecodeError& err) {
    const uint8_t* p = data_ + v.off;
    if (v.type == kNull) {
        if (optional) return true;  // optional and empty: nothing is written
        Node* n = new_node(err);
        if (!n) return false;
        n->kind = NodeKind::Text;
        n->vtype = kNull;
        n->is_null = true;
        if (attr) {
            if (attr->last)
                attr->last->next = n;
            else
                attr->first = n;
            attr->last = n;
        } else {
            top->append(n);
        }
        return true;
    }
    if (v.type == kBinXml) {
        if (depth + 1 > opts_.max_binxml_nesting)
            return fail(err, "evtx.binxml.too_deep", "embedded BinXML nested deeper than %llu",
                        opts_.max_binxml_nesting);
        const Op* ops;
        uint32_t nops;
        const ValueRef* vals;
        uint32_t nvals;
        if (!compile(v.off, v.off + v.size, false, record_arena_, ops, nops, vals, nvals, err))
            return false;
        return exec(ops, nops, vals, nvals, top, depth + 1, err);
    }
    if (++nodes_ > opts_.max_nodes_per_record)
        return fail(err, "evtx.record.too_many_nodes", "record needs more than %llu tree nodes",
                    opts_.max_nodes_per_record);
    Node* n = (v.type & kArrayFlag) ? make_array_node(v.type, p, v.size, record_arena_)
                                    : make_value_node(v.type, p, v.size, record_arena_);
    if (attr) {
        if (attr->last)
            attr->last->next = n;
        else
            attr->first = n;
        attr->last = n;
    } else {
        top->append(n);
    }
    return true;
}

bool ChunkDecoder::exec(const Op* ops, uint32_t nops, const ValueRef* vals, uint32_t nvals,
                        Node* parent, uint32_t depth, DecodeError& err) {
    // Element stack of this op list; index 0 is the node the output attaches to.
    Node* stack_buf[64];
    std::vector<Node*> stack_big;
    Node** stack = stack_buf;
    uint32_t cap = 64, sp = 0;
    stack[0] = parent;
    Attr* attr = nullptr;
    auto add = [&](Node* n) {
        if (attr) {
            if (attr->last)
                attr->last->next = n;
            else
                attr->first = n;
            attr->last = n;
        } else {
            stack[sp]->append(n);
        }
    };
    for (uint32_t i = 0; i < nops; ++i) {
        const Op& op = ops[i];
        switch (op.code) {
            case OpCode::Open: {
                Node* e = new_node(err);
                if (!e) return false;
                e->kind = NodeKind::Element;
                e->name = op.s;
                stack[sp]->append(e);
                if (sp + 1 >= opts_.max_element_depth)
                    return fail(err, "evtx.binxml.too_deep", "elements nested deeper than %llu",
                                opts_.max_element_depth);
                if (sp + 1 >= cap) {
                    if (stack == stack_buf) stack_big.assign(stack_buf, stack_buf + cap);
                    cap *= 2;
                    stack_big.resize(cap);
                    stack = stack_big.data();
                }
                stack[++sp] = e;
                attr = nullptr;
                break;
            }
            case OpCode::Attr: {
                if (sp == 0)
                    return fail(err, "evtx.binxml.bad_structure", "attribute outside an element");
                Attr* a = record_arena_.make<Attr>();
                a->name = op.s;
                Node* e = stack[sp];
                if (e->attrs_last)
                    e->attrs_last->next = a;
                else
                    e->attrs = a;
                e->attrs_last = a;
                attr = a;
                break;
            }
            case OpCode::CloseStart:
                attr = nullptr;
                break;
            case OpCode::CloseEmpty:
            case OpCode::End:
                attr = nullptr;
                if (sp > 0) --sp;  // unbalanced end tags are ignored
                break;
            case OpCode::Text:
            case OpCode::CData: {
                Node* n = new_node(err);
                if (!n) return false;
                n->kind = op.code == OpCode::Text ? NodeKind::Text : NodeKind::CData;
                n->text = op.s;
                add(n);
                break;
            }
            case OpCode::CharRef: {
                Node* n = new_node(err);
                if (!n) return false;
                n->kind = NodeKind::Text;
                char buf[4];
                n->text = record_arena_.copy({buf, put_utf8(op.a, buf)});
                add(n);
                break;
            }
            case OpCode::EntityRef: {
                Node* n = new_node(err);
                if (!n) return false;
                n->kind = NodeKind::Text;
                std::string_view s = op.s;
                n->text = s == "amp"    ? "&"
                          : s == "lt"   ? "<"
                          : s == "gt"   ? ">"
                          : s == "quot" ? "\""
                          : s == "apos" ? "'"
                                        : record_arena_.copy("&" + std::string(s) + ";");
                add(n);
                break;
            }
            case OpCode::PITarget: {
                Node* n = new_node(err);
                if (!n) return false;
                n->kind = NodeKind::PI;
                n->name = op.s;
                stack[sp]->append(n);
                break;
            }
            case OpCode::PIData:
                if (stack[sp]->last && stack[sp]->last->kind == NodeKind::PI)
                    stack[sp]->last->text = op.s;
                break;
            case OpCode::Subst: {
                if (op.a >= nvals) {
                    // Index past the instance's values: treated like an empty optional value.
                    break;
                }
                if (!add_substitution(vals[op.a], op.b != 0, stack[sp], attr, depth, err))
                    return false;
                break;
            }
            case OpCode::Instance: {
                if (depth + 1 > opts_.max_binxml_nesting)
                    return fail(err, "evtx.binxml.too_deep",
                                "template instances nested deeper than %llu",
                                opts_.max_binxml_nesting);
                const Template* t = get_template(op.a, err);
                if (!t) return false;
                if (!exec(t->ops, t->n, vals + op.b, op.c, stack[sp], depth + 1, err)) return false;
                break;
            }
            case OpCode::EndOfStream:
                return true;
        }
    }
    return true;
}

}  // namespace sigil::evtx_detail
