// events/evtx/values.cpp — text of BinXML substitution values, formatted the
// way Windows renders event XML (decimal integers, 0x-prefixed lowercase hex
// without padding, {GUID} in upper case, S-1-... SIDs, ISO-8601 UTC times).
#include <charconv>
#include <cmath>
#include <cstdio>

#include "events/evtx/text.h"
#include "events/evtx/tree.h"

namespace sigil::evtx_detail {

namespace {

const char kHexUpper[] = "0123456789ABCDEF";

std::string_view hex_bytes(const uint8_t* p, size_t n, Arena& a) {
    if (n == 0) return {};
    char* o = static_cast<char*>(a.alloc(n * 2, 1));
    for (size_t i = 0; i < n; ++i) {
        o[2 * i] = kHexUpper[p[i] >> 4];
        o[2 * i + 1] = kHexUpper[p[i] & 15];
    }
    return {o, n * 2};
}

std::string_view fmt_u64(uint64_t v, Arena& a) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return a.copy({buf, static_cast<size_t>(r.ptr - buf)});
}
std::string_view fmt_i64(int64_t v, Arena& a) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return a.copy({buf, static_cast<size_t>(r.ptr - buf)});
}
std::string_view fmt_hex(uint64_t v, Arena& a) {
    char buf[24] = {'0', 'x'};
    auto r = std::to_chars(buf + 2, buf + sizeof buf, v, 16);
    return a.copy({buf, static_cast<size_t>(r.ptr - buf)});
}
std::string_view fmt_double(double v, Arena& a) {
    if (std::isnan(v)) return "-1.#IND";
    if (std::isinf(v)) return v < 0 ? "-1.#INF" : "1.#INF";
    char buf[40];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    return a.copy({buf, static_cast<size_t>(r.ptr - buf)});
}

std::string_view fmt_guid(const uint8_t* p, Arena& a) {
    // {d1-d2-d3-d4[0..1]-d4[2..7]}; d1..d3 are little-endian, d4 is a byte string.
    static const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
    char* o = static_cast<char*>(a.alloc(38, 1));
    char* w = o;
    *w++ = '{';
    for (int i = 0; i < 16; ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) *w++ = '-';
        uint8_t b = p[order[i]];
        *w++ = kHexUpper[b >> 4];
        *w++ = kHexUpper[b & 15];
    }
    *w++ = '}';
    return {o, 38};
}

// A SID: revision, sub-authority count, 48-bit big-endian authority, then the
// little-endian 32-bit sub-authorities. Returns bytes consumed, 0 if malformed.
size_t parse_sid(const uint8_t* p, size_t n, std::string_view& out, Arena& a) {
    if (n < 8) return 0;
    unsigned count = p[1];
    size_t need = 8 + 4 * static_cast<size_t>(count);
    if (need > n) return 0;
    uint64_t auth = 0;
    for (int i = 2; i < 8; ++i) auth = (auth << 8) | p[i];
    char* o = a.begin_string(2 + 4 + 2 + 16 + 11 * count);
    char* w = o;
    *w++ = 'S';
    *w++ = '-';
    w = std::to_chars(w, w + 4, p[0]).ptr;
    *w++ = '-';
    if (auth >> 32) {
        *w++ = '0';
        *w++ = 'x';
        for (int i = 2; i < 8; ++i) {
            *w++ = kHexUpper[p[i] >> 4];
            *w++ = kHexUpper[p[i] & 15];
        }
    } else {
        w = std::to_chars(w, w + 11, auth).ptr;
    }
    for (unsigned i = 0; i < count; ++i) {
        *w++ = '-';
        w = std::to_chars(w, w + 10, le32(p + 8 + 4 * i)).ptr;
    }
    size_t len = static_cast<size_t>(w - o);
    out = a.commit(o, len);
    return need;
}

// Days since 1970-01-01 → civil date (proleptic Gregorian), the standard
// era-based conversion: split into 400-year eras, then year-of-era from the
// day-of-era with the 4/100/400 leap corrections, then month from a March-based
// year so that February's leap day falls at the end.
void civil_from_days(int64_t z, int& y, unsigned& m, unsigned& d) {
    z += 719468;
    const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const unsigned doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

}  // namespace

constexpr uint64_t kFiletimeUnixEpoch = 116444736000000000ull;  // 1970-01-01 in 100 ns ticks

int64_t filetime_to_unix_ms(uint64_t ft) {
    return (static_cast<int64_t>(ft / 10000)) - static_cast<int64_t>(kFiletimeUnixEpoch / 10000);
}

static inline char* put_digits(char* w, unsigned v, int n) {
    for (int i = n - 1; i >= 0; --i) {
        w[i] = static_cast<char>('0' + v % 10);
        v /= 10;
    }
    return w + n;
}

std::string_view format_filetime(uint64_t ft, Arena& a) {
    int64_t secs = static_cast<int64_t>(ft / 10000000ull) - 11644473600ll;
    unsigned frac = static_cast<unsigned>(ft % 10000000ull);
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t rem = secs - days * 86400;
    int y;
    unsigned m, d;
    civil_from_days(days, y, m, d);
    if (y < 0 || y > 9999) {
        char* o = static_cast<char*>(a.alloc(64, 1));
        int n = std::snprintf(
            o, 64, "%d-%02u-%02uT%02u:%02u:%02u.%07uZ", y, m, d, static_cast<unsigned>(rem / 3600),
            static_cast<unsigned>(rem / 60 % 60), static_cast<unsigned>(rem % 60), frac);
        return {o, static_cast<size_t>(n < 64 ? n : 63)};
    }
    // YYYY-MM-DDTHH:MM:SS.fffffffZ
    char* o = static_cast<char*>(a.alloc(28, 1));
    char* w = put_digits(o, static_cast<unsigned>(y), 4);
    *w++ = '-';
    w = put_digits(w, m, 2);
    *w++ = '-';
    w = put_digits(w, d, 2);
    *w++ = 'T';
    w = put_digits(w, static_cast<unsigned>(rem / 3600), 2);
    *w++ = ':';
    w = put_digits(w, static_cast<unsigned>(rem / 60 % 60), 2);
    *w++ = ':';
    w = put_digits(w, static_cast<unsigned>(rem % 60), 2);
    *w++ = '.';
    w = put_digits(w, frac, 7);
    *w++ = 'Z';
    return {o, 28};
}

static std::string_view format_systime(const uint8_t* p, Arena& a) {
    char* o = static_cast<char*>(a.alloc(64, 1));
    int n = std::snprintf(o, 64, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ", le16(p), le16(p + 2),
                          le16(p + 6), le16(p + 8), le16(p + 10), le16(p + 12), le16(p + 14));
    return {o, static_cast<size_t>(n)};
}

// Fixed size of one item of a scalar type, 0 for variable-sized types.
static size_t fixed_size(uint8_t t, size_t total) {
    switch (t) {
        case kInt8:
        case kUInt8:
            return 1;
        case kInt16:
        case kUInt16:
            return 2;
        case kInt32:
        case kUInt32:
        case kReal32:
        case kBool:
        case kHexInt32:
            return 4;
        case kInt64:
        case kUInt64:
        case kReal64:
        case kFileTime:
        case kHexInt64:
            return 8;
        case kGuid:
        case kSysTime:
            return 16;
        case kSizeT:
            return total % 8 == 0 ? 8 : 4;
        case kEvtHandle:
            return total == 4 ? 4 : 8;
        default:
            return 0;
    }
}

Node* make_value_node(uint8_t type, const uint8_t* p, size_t size, Arena& a) {
    Node* n = Node::create(a, NodeKind::Text);
    n->kind = NodeKind::Text;
    n->vtype = type;
    size_t need = fixed_size(type, size);
    if (need != 0 && size != need && !(type == kBool && size >= 1 && size <= 4)) {
        // The descriptor lies about the size of a fixed-size type: keep the bytes.
        if (size == 0) {
            n->is_null = true;
        } else {
            n->vtype = kBinary;
            n->text = hex_bytes(p, size, a);
        }
        return n;
    }
    switch (type) {
        case kNull:
            n->is_null = true;
            break;
        case kString:
            n->text = utf16_to_utf8(p, size / 2, a);
            break;
        case kAnsiString:
            n->text = cp1252_to_utf8(p, size, a);
            break;
        case kEvtXml:
            n->text = utf16_to_utf8(p, size / 2, a);
            break;
        case kInt8:
            n->text = fmt_i64(static_cast<int8_t>(p[0]), a);
            break;
        case kUInt8:
            n->text = fmt_u64(p[0], a);
            break;
        case kInt16:
            n->text = fmt_i64(static_cast<int16_t>(le16(p)), a);
            break;
        case kUInt16:
            n->text = fmt_u64(le16(p), a);
            break;
        case kInt32:
            n->text = fmt_i64(static_cast<int32_t>(le32(p)), a);
            break;
        case kUInt32:
            n->text = fmt_u64(le32(p), a);
            break;
        case kInt64:
            n->text = fmt_i64(static_cast<int64_t>(le64(p)), a);
            break;
        case kUInt64:
            n->text = fmt_u64(le64(p), a);
            break;
        case kReal32: {
            float f;
            std::memcpy(&f, p, 4);
            n->text = fmt_double(f, a);
            break;
        }
        case kReal64: {
            double f;
            std::memcpy(&f, p, 8);
            n->text = fmt_double(f, a);
            break;
        }
        case kBool: {
            bool v = false;
            for (size_t i = 0; i < size; ++i) v |= p[i] != 0;
            n->text = v ? "true" : "false";
            break;
        }
        case kGuid:
            n->text = fmt_guid(p, a);
            break;
        case kSizeT:
        case kHexInt32:
        case kHexInt64:
            n->text = fmt_hex(size == 4 ? le32(p) : le64(p), a);
            break;
        case kEvtHandle:
            n->text = fmt_u64(size == 4 ? le32(p) : le64(p), a);
            break;
        case kFileTime:
            n->raw = le64(p);
            n->text = format_filetime(n->raw, a);
            break;
        case kSysTime:
            n->text = format_systime(p, a);
            break;
        case kSid:
            if (parse_sid(p, size, n->text, a) == 0) {
                n->vtype = kBinary;
                n->text = hex_bytes(p, size, a);
            }
            break;
        default:  // kBinary and types without a text form
            n->vtype = kBinary;
            n->text = hex_bytes(p, size, a);
            break;
    }
    return n;
}

Node* make_array_node(uint8_t type, const uint8_t* p, size_t size, Arena& a) {
    Node* arr = Node::create(a, NodeKind::Text);
    arr->kind = NodeKind::Array;
    arr->vtype = type;
    uint8_t base = type & 0x7F;
    auto item = [&](Node* n) { arr->append(n); };
    if (base == kString) {
        // NUL-separated UTF-16 strings.
        size_t units = size / 2, start = 0;
        for (size_t i = 0; i <= units; ++i) {
            if (i == units || le16(p + 2 * i) == 0) {
                if (i == units && i == start) break;  // no trailing empty item
                Node* n = Node::create(a, NodeKind::Text);
                n->kind = NodeKind::Text;
                n->vtype = kString;
                n->text = utf16_to_utf8(p + 2 * start, i - start, a, false);
                item(n);
                start = i + 1;
            }
        }
    } else if (base == kAnsiString) {
        size_t start = 0;
        for (size_t i = 0; i <= size; ++i) {
            if (i == size || p[i] == 0) {
                if (i == size && i == start) break;
                Node* n = Node::create(a, NodeKind::Text);
                n->kind = NodeKind::Text;
                n->vtype = kAnsiString;
                n->text = cp1252_to_utf8(p + start, i - start, a, false);
                item(n);
                start = i + 1;
            }
        }
    } else if (base == kSid) {
        size_t off = 0;
        while (off < size) {
            Node* n = Node::create(a, NodeKind::Text);
            n->kind = NodeKind::Text;
            n->vtype = kSid;
            size_t used = parse_sid(p + off, size - off, n->text, a);
            if (used == 0) {
                n->vtype = kBinary;
                n->text = hex_bytes(p + off, size - off, a);
                item(n);
                break;
            }
            item(n);
            off += used;
        }
    } else if (size_t w = fixed_size(base, size); w != 0) {
        size_t off = 0;
        for (; off + w <= size; off += w) item(make_value_node(base, p + off, w, a));
        if (off < size) item(make_value_node(kBinary, p + off, size - off, a));
    } else {
        item(make_value_node(kBinary, p, size, a));
    }
    return arr;
}

}  // namespace sigil::evtx_detail
