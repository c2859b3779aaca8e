// events/evtx/text.cpp — CRC32, text transcoding and escaping for the EVTX reader.
#include "events/evtx/text.h"

#include <array>
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <cstdio>

namespace sigil::evtx_detail {

// ---------------------------------------------------------------------------
// CRC32, slicing-by-8.
//
// The classic table method consumes one byte per step; slicing-by-8 keeps
// eight 256-entry tables where table[k][b] is the CRC contribution of byte b
// followed by k zero bytes. Eight input bytes are then folded with eight
// independent lookups XORed together, which breaks the serial dependency of
// the byte loop and runs several times faster. Tables are built once at
// start-up from the reflected polynomial 0xEDB88320.
// ---------------------------------------------------------------------------
namespace {
struct Crc32Tables {
    uint32_t t[8][256];
    Crc32Tables() {
        for (uint32_t i = 0; i < 256; ++i) {
            uint32_t c = i;
            for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[0][i] = c;
        }
        for (uint32_t i = 0; i < 256; ++i)
            for (int k = 1; k < 8; ++k) t[k][i] = (t[k - 1][i] >> 8) ^ t[0][t[k - 1][i] & 0xFF];
    }
};
const Crc32Tables kCrc;
}  // namespace

static uint32_t crc32_table(const uint8_t* p, size_t n, uint32_t c) {
    while (n >= 8) {
        uint32_t lo = le32(p) ^ c;
        uint32_t hi = le32(p + 4);
        c = kCrc.t[7][lo & 0xFF] ^ kCrc.t[6][(lo >> 8) & 0xFF] ^ kCrc.t[5][(lo >> 16) & 0xFF] ^
            kCrc.t[4][lo >> 24] ^ kCrc.t[3][hi & 0xFF] ^ kCrc.t[2][(hi >> 8) & 0xFF] ^
            kCrc.t[1][(hi >> 16) & 0xFF] ^ kCrc.t[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    while (n--) c = kCrc.t[0][(c ^ *p++) & 0xFF] ^ (c >> 8);
    return c;
}

#if defined(__x86_64__)
// ---------------------------------------------------------------------------
// CRC32 by carry-less multiplication (PCLMULQDQ), for CPUs that have it.
//
// The CRC of a long message is the remainder of a polynomial division, and
// remainders can be folded: a 128-bit block A followed by 512 bits of data
// contributes A·x^512 mod P, which equals A.lo·k1 ⊕ A.hi·k2 for two
// precomputed constants (k = x^(512±32…) mod P, bit-reflected). Four 128-bit
// accumulators fold 64 bytes per step; they are then folded into one with the
// 128-bit distance constants, the last 128 bits are reduced to 64 and then to
// 32 bits with a Barrett reduction (μ = floor(x^64 / P), P itself). The
// constants are those of the reflected CRC-32 polynomial 0xEDB88320.
// Lengths not a multiple of 16 finish with the table method; the result is
// checked against it in the unit tests.
// ---------------------------------------------------------------------------
__attribute__((target("pclmul,sse4.1"))) static inline __m128i clmul_fold(__m128i x, __m128i k,
                                                                          __m128i data) {
    __m128i lo = _mm_clmulepi64_si128(x, k, 0x00);
    __m128i hi = _mm_clmulepi64_si128(x, k, 0x11);
    return _mm_xor_si128(_mm_xor_si128(lo, hi), data);
}

__attribute__((target("pclmul,sse4.1"))) static uint32_t crc32_clmul(const uint8_t* p, size_t n,
                                                                     uint32_t c) {
    const __m128i k1k2 = _mm_set_epi64x(0x1c6e41596ll, 0x154442bd4ll);
    const __m128i k3k4 = _mm_set_epi64x(0x0ccaa009ell, 0x1751997d0ll);
    const __m128i k5 = _mm_set_epi64x(0, 0x163cd6124ll);
    const __m128i poly = _mm_set_epi64x(0x1F7011641ll, 0x1DB710641ll);
    const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
    auto load = [](const uint8_t* q) {
        return _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    };
    auto fold = clmul_fold;
    __m128i x1 = _mm_xor_si128(load(p), _mm_cvtsi32_si128(static_cast<int>(c)));
    __m128i x2 = load(p + 16), x3 = load(p + 32), x4 = load(p + 48);
    p += 64;
    n -= 64;
    while (n >= 64) {
        x1 = fold(x1, k1k2, load(p));
        x2 = fold(x2, k1k2, load(p + 16));
        x3 = fold(x3, k1k2, load(p + 32));
        x4 = fold(x4, k1k2, load(p + 48));
        p += 64;
        n -= 64;
    }
    x1 = fold(x1, k3k4, x2);
    x1 = fold(x1, k3k4, x3);
    x1 = fold(x1, k3k4, x4);
    while (n >= 16) {
        x1 = fold(x1, k3k4, load(p));
        p += 16;
        n -= 16;
    }
    // 128 → 64 bits.
    __m128i t = _mm_clmulepi64_si128(x1, k3k4, 0x10);
    x1 = _mm_xor_si128(t, _mm_srli_si128(x1, 8));
    // 64 → 32 bits.
    t = _mm_srli_si128(x1, 4);
    x1 = _mm_clmulepi64_si128(_mm_and_si128(x1, mask32), k5, 0x00);
    x1 = _mm_xor_si128(x1, t);
    // Barrett reduction.
    t = x1;
    x1 = _mm_clmulepi64_si128(_mm_and_si128(x1, mask32), poly, 0x10);
    x1 = _mm_clmulepi64_si128(_mm_and_si128(x1, mask32), poly, 0x00);
    x1 = _mm_xor_si128(x1, t);
    c = static_cast<uint32_t>(_mm_extract_epi32(x1, 1));
    return crc32_table(p, n, c);
}

static const bool kHaveClmul = __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
#endif

uint32_t crc32(const uint8_t* p, size_t n, uint32_t crc) {
#if defined(__x86_64__)
    if (n >= 64 && kHaveClmul) return ~crc32_clmul(p, n, ~crc);
#endif
    return ~crc32_table(p, n, ~crc);
}

uint32_t crc32_portable(const uint8_t* p, size_t n, uint32_t crc) {
    return ~crc32_table(p, n, ~crc);
}

// ---------------------------------------------------------------------------
// UTF-16LE → UTF-8.
//
// Event text is mostly ASCII, so the loop first checks four code units at a
// time (one 64-bit load) for "all below 0x80" and narrows them directly; the
// general path handles 2- and 3-byte sequences and surrogate pairs. A high
// surrogate not followed by a low one, or a lone low surrogate, is written as
// U+FFFD. The output needs at most 3 bytes per code unit, which is what is
// reserved in the arena before writing in place.
// ---------------------------------------------------------------------------
size_t put_utf8(uint32_t cp, char* o) {
    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
    if (cp > 0x10FFFF) cp = 0xFFFD;
    if (cp < 0x80) {
        o[0] = static_cast<char>(cp);
        return 1;
    }
    if (cp < 0x800) {
        o[0] = static_cast<char>(0xC0 | (cp >> 6));
        o[1] = static_cast<char>(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = static_cast<char>(0xE0 | (cp >> 12));
        o[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
        o[2] = static_cast<char>(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = static_cast<char>(0xF0 | (cp >> 18));
    o[1] = static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    o[2] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    o[3] = static_cast<char>(0x80 | (cp & 0x3F));
    return 4;
}

static size_t utf16_encode(const uint8_t* p, size_t units, char* out) {
    char* o = out;
    size_t i = 0;
    while (i < units) {
        if (i + 4 <= units) {
            uint64_t w = le64(p + 2 * i);
            if ((w & 0xFF80FF80FF80FF80ull) == 0) {
                o[0] = static_cast<char>(w);
                o[1] = static_cast<char>(w >> 16);
                o[2] = static_cast<char>(w >> 32);
                o[3] = static_cast<char>(w >> 48);
                o += 4;
                i += 4;
                continue;
            }
        }
        uint32_t u = le16(p + 2 * i);
        ++i;
        if (u < 0x80) {
            *o++ = static_cast<char>(u);
        } else if (u >= 0xD800 && u <= 0xDBFF) {
            if (i < units) {
                uint32_t u2 = le16(p + 2 * i);
                if (u2 >= 0xDC00 && u2 <= 0xDFFF) {
                    ++i;
                    o += put_utf8(0x10000 + ((u - 0xD800) << 10) + (u2 - 0xDC00), o);
                    continue;
                }
            }
            o += put_utf8(0xFFFD, o);
        } else {
            o += put_utf8(u, o);  // lone low surrogates become U+FFFD inside
        }
    }
    return static_cast<size_t>(o - out);
}

std::string_view utf16_to_utf8(const uint8_t* p, size_t units, Arena& arena, bool trim_nul) {
    if (trim_nul)
        while (units > 0 && le16(p + 2 * (units - 1)) == 0) --units;
    if (units == 0) return {};
    char* out = arena.begin_string(units * 3);
    return arena.commit(out, utf16_encode(p, units, out));
}

void utf16_append_utf8(const uint8_t* p, size_t units, std::string& out) {
    size_t old = out.size();
    out.resize(old + units * 3);
    out.resize(old + utf16_encode(p, units, out.data() + old));
}

// Windows-1252 code points for bytes 0x80..0x9F; the rest equal Latin-1.
static const uint16_t kCp1252High[32] = {
    0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};

std::string_view cp1252_to_utf8(const uint8_t* p, size_t n, Arena& arena, bool trim_nul) {
    if (trim_nul)
        while (n > 0 && p[n - 1] == 0) --n;
    if (n == 0) return {};
    char* out = arena.begin_string(n * 3);
    char* o = out;
    for (size_t i = 0; i < n; ++i) {
        uint8_t b = p[i];
        if (b < 0x80)
            *o++ = static_cast<char>(b);
        else if (b < 0xA0)
            o += put_utf8(kCp1252High[b - 0x80], o);
        else
            o += put_utf8(b, o);
    }
    return arena.commit(out, static_cast<size_t>(o - out));
}

// ---------------------------------------------------------------------------
// Escaping
// ---------------------------------------------------------------------------
void append_xml_escaped(std::string& out, std::string_view s, bool attribute) {
    size_t start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        const char* rep = nullptr;
        char buf[8];
        switch (c) {
            case '&':
                rep = "&amp;";
                break;
            case '<':
                rep = "&lt;";
                break;
            case '>':
                rep = "&gt;";
                break;
            case '"':
                if (attribute) rep = "&quot;";
                break;
            case '\'':
                if (attribute) rep = "&apos;";
                break;
            default:
                if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
                    std::snprintf(buf, sizeof buf, "&#%u;", c);
                    rep = buf;
                }
        }
        if (rep) {
            out.append(s.data() + start, i - start);
            out.append(rep);
            start = i + 1;
        }
    }
    out.append(s.data() + start, s.size() - start);
}

void append_json_string(std::string& out, std::string_view s) {
    static const char* hex = "0123456789abcdef";
    out.push_back('"');
    size_t start = 0;
    for (size_t i = 0; i < s.size(); ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        out.append(s.data() + start, i - start);
        start = i + 1;
        switch (c) {
            case '"':
                out.append("\\\"");
                break;
            case '\\':
                out.append("\\\\");
                break;
            case '\n':
                out.append("\\n");
                break;
            case '\r':
                out.append("\\r");
                break;
            case '\t':
                out.append("\\t");
                break;
            case '\b':
                out.append("\\b");
                break;
            case '\f':
                out.append("\\f");
                break;
            default: {
                char b[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
                out.append(b, 6);
            }
        }
    }
    out.append(s.data() + start, s.size() - start);
    out.push_back('"');
}

}  // namespace sigil::evtx_detail
