// events/evtx/text.h — byte-level helpers of the EVTX reader: little-endian
// loads, CRC32 (RFC 1952), UTF-16LE and Windows-1252 to UTF-8, XML/JSON escaping.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "events/evtx/arena.h"

namespace sigil::evtx_detail {

inline uint16_t le16(const uint8_t* p) {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
}
inline uint32_t le32(const uint8_t* p) {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
}
inline uint64_t le64(const uint8_t* p) {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

// CRC-32 (polynomial 0xEDB88320, initial value 0 as the format stores it).
// Continue a running value by passing it back as `crc`.
uint32_t crc32(const uint8_t* data, size_t n, uint32_t crc = 0);
// The table method only (what crc32 falls back to without PCLMULQDQ).
uint32_t crc32_portable(const uint8_t* data, size_t n, uint32_t crc = 0);

// UTF-16LE code units → UTF-8 in the arena. Unpaired surrogates become U+FFFD;
// with `trim_nul` trailing NUL units are dropped (strings often carry one).
std::string_view utf16_to_utf8(const uint8_t* p, size_t units, Arena& arena, bool trim_nul = true);
// Same, appended to a std::string.
void utf16_append_utf8(const uint8_t* p, size_t units, std::string& out);
// Windows-1252 bytes → UTF-8 (undefined bytes map to U+FFFD).
std::string_view cp1252_to_utf8(const uint8_t* p, size_t n, Arena& arena, bool trim_nul = true);
// One code point as UTF-8 (invalid ones as U+FFFD); returns bytes written (≤4).
size_t put_utf8(uint32_t cp, char* out);

// Escaping for the renderers. XML escapes & < > always and " ' in attributes;
// control characters other than tab/CR/LF become character references.
void append_xml_escaped(std::string& out, std::string_view s, bool attribute);
void append_json_string(std::string& out, std::string_view s);  // with the quotes

}  // namespace sigil::evtx_detail
