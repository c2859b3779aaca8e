// tests/unit/evtx_test_writer.h — a small EVTX writer for crafted test files:
// file header, 64 KiB chunks with their CRCs, inline names, templates,
// substitutions and records. Used by evtx_reader_test.cpp,
// hardening_evtx_test.cpp and to write the EVTX fuzz seeds.
#pragma once

#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "events/evtx/text.h"

namespace sigil::evtx_test {

using sigil::evtx_detail::crc32;

struct ChunkWriter {
    std::vector<uint8_t> c = std::vector<uint8_t>(65536, 0);
    uint32_t pos = 512;
    std::map<std::u16string, uint32_t> names;
    std::vector<uint32_t> record_offsets;
    uint64_t first_id = 0, last_id = 0;

    void u8(uint8_t v) { c.at(pos++) = v; }
    void u16(uint16_t v) {
        u8(v & 0xFF);
        u8(v >> 8);
    }
    void u32(uint32_t v) {
        u16(v & 0xFFFF);
        u16(v >> 16);
    }
    void u64(uint64_t v) {
        u32(static_cast<uint32_t>(v));
        u32(static_cast<uint32_t>(v >> 32));
    }
    void put32(uint32_t at, uint32_t v) { std::memcpy(&c[at], &v, 4); }
    void put64(uint32_t at, uint64_t v) { std::memcpy(&c[at], &v, 8); }
    void utf16(const std::u16string& s) {
        for (char16_t ch : s) u16(ch);
    }
    // Name reference: inline at first use, by offset afterwards.
    void name(const std::u16string& n) {
        auto it = names.find(n);
        if (it != names.end()) {
            u32(it->second);
            return;
        }
        uint32_t at = pos + 4;
        u32(at);
        names[n] = at;
        u32(0);
        u16(0);
        u16(static_cast<uint16_t>(n.size()));
        utf16(n);
        u16(0);
    }
    // BinXML tokens (template-definition layout: with dependency id).
    void frag() { u8(0x0f), u8(1), u8(1), u8(0); }
    void open(const std::u16string& n, bool attrs, bool dep = true) {
        u8(attrs ? 0x41 : 0x01);
        if (dep) u16(0xFFFF);
        u32(0);  // data size (not used by the reader)
        name(n);
        if (attrs) u32(0);
    }
    void attr(const std::u16string& n, bool more = false) {
        u8(more ? 0x46 : 0x06);
        name(n);
    }
    void text(const std::u16string& s) {
        u8(0x05);
        u8(0x01);
        u16(static_cast<uint16_t>(s.size()));
        utf16(s);
    }
    void subst(uint16_t idx, uint8_t type, bool optional = false) {
        u8(optional ? 0x0e : 0x0d);
        u16(idx);
        u8(type);
    }
    void close_start() { u8(0x02); }
    void close_empty() { u8(0x03); }
    void end() { u8(0x04); }
    void eof() { u8(0x00); }

    struct Value {
        uint8_t type;
        std::vector<uint8_t> bytes;
    };

    // Template instance; the definition is written inline when `def_at` is 0
    // (its offset is returned), otherwise referenced.
    uint32_t instance(uint32_t def_at, const std::function<void()>& body,
                      const std::vector<Value>& values) {
        u8(0x0c);
        u8(0x01);
        u32(0x1234);
        uint32_t def = def_at ? def_at : pos + 4;
        u32(def);
        if (!def_at) {
            u32(0);                                                    // next template
            for (int i = 0; i < 16; ++i) u8(static_cast<uint8_t>(i));  // GUID
            uint32_t size_at = pos;
            u32(0);
            uint32_t start = pos;
            body();
            put32(size_at, pos - start);
        }
        u32(static_cast<uint32_t>(values.size()));
        for (auto& v : values) {
            u16(static_cast<uint16_t>(v.bytes.size()));
            u8(v.type);
            u8(0);
        }
        for (auto& v : values)
            for (uint8_t b : v.bytes) u8(b);
        return def;
    }

    // One record around `binxml`; returns its chunk offset.
    uint32_t record(uint64_t id, uint64_t filetime, const std::function<void()>& binxml) {
        uint32_t at = pos;
        u32(0x2a2a);
        u32(0);
        u64(id);
        u64(filetime);
        binxml();
        while ((pos - at + 4) % 8) u8(0);
        u32(0);
        uint32_t size = pos - at;
        put32(at + 4, size);
        put32(pos - 4, size);
        record_offsets.push_back(at);
        if (!first_id) first_id = id;
        last_id = id;
        return at;
    }

    void finish() {
        std::memcpy(&c[0], "ElfChnk", 8);
        put64(8, first_id);
        put64(16, last_id);
        put64(24, first_id);
        put64(32, last_id);
        put32(40, 128);
        put32(44, record_offsets.empty() ? 0 : record_offsets.back());
        put32(48, pos);
        put32(52, crc32(&c[512], pos - 512));
        uint32_t h = crc32(&c[0], 120);
        h = crc32(&c[128], 512 - 128, h);
        put32(124, h);
    }
};

inline std::vector<uint8_t> le(uint64_t v, int n) {
    std::vector<uint8_t> b;
    for (int i = 0; i < n; ++i) b.push_back(static_cast<uint8_t>(v >> (8 * i)));
    return b;
}
inline std::vector<uint8_t> u16s(const std::u16string& s, bool nul = false) {
    std::vector<uint8_t> b;
    for (char16_t ch : s) {
        b.push_back(ch & 0xFF);
        b.push_back(ch >> 8);
    }
    if (nul) b.push_back(0), b.push_back(0);
    return b;
}

inline constexpr uint64_t kFt = 132792107527319042ull;  // 2021-10-20T13:39:12.7319042Z

// The template of the tests: Event/System (Provider@Name, EventID, TimeCreated@SystemTime,
// EventRecordID, Channel, Computer) and EventData with two named Data and one unnamed.
inline void event_template(ChunkWriter& w) {
    w.frag();
    w.open(u"Event", true);
    w.attr(u"xmlns");
    w.text(u"http://schemas.microsoft.com/win/2004/08/events/event");
    w.close_start();
    w.open(u"System", false);
    w.close_start();
    w.open(u"Provider", true);
    w.attr(u"Name");
    w.subst(0, 0x01);
    w.close_empty();
    w.open(u"EventID", false);
    w.close_start();
    w.subst(1, 0x06);
    w.end();
    w.open(u"TimeCreated", true);
    w.attr(u"SystemTime");
    w.subst(2, 0x11, true);
    w.close_empty();
    w.open(u"EventRecordID", false);
    w.close_start();
    w.subst(3, 0x0a);
    w.end();
    w.open(u"Correlation", true);
    w.attr(u"ActivityID");
    w.subst(7, 0x0f, true);
    w.close_empty();
    w.open(u"Channel", false);
    w.close_start();
    w.subst(4, 0x01);
    w.end();
    w.open(u"Computer", false);
    w.close_start();
    w.text(u"HOST-");
    w.subst(5, 0x01);
    w.end();
    w.end();  // System
    w.open(u"EventData", false);
    w.close_start();
    w.open(u"Data", true);
    w.attr(u"Name");
    w.text(u"CommandLine");
    w.close_start();
    w.subst(6, 0x01);
    w.end();
    w.open(u"Data", true);
    w.attr(u"Name");
    w.text(u"LogonId");
    w.close_start();
    w.subst(8, 0x15);
    w.end();
    w.open(u"Data", false);
    w.close_start();
    w.subst(9, 0x81, true);
    w.end();
    w.end();  // EventData
    w.end();  // Event
    w.eof();
}

inline std::vector<ChunkWriter::Value> event_values(uint64_t id, const std::u16string& cmd,
                                                    uint16_t event_id = 4688) {
    return {
        {0x01, u16s(u"Microsoft-Windows-Security-Auditing")},
        {0x06, le(event_id, 2)},
        {0x11, le(kFt + id, 8)},
        {0x0a, le(id, 8)},
        {0x01, u16s(u"Security")},
        {0x01, u16s(u"PC1", true)},
        {0x01, u16s(cmd)},
        {0x00, {}},  // Correlation ActivityID: optional, absent
        {0x15, le(0x3e7, 8)},
        {0x81, u16s(std::u16string(u"a\0bb\0", 5))},
    };
}

// A chunk with `n` records of the test template (the first defines it inline).
inline ChunkWriter good_chunk(int n, uint64_t first_id = 1) {
    ChunkWriter w;
    uint32_t def = 0;
    for (int i = 0; i < n; ++i) {
        uint64_t id = first_id + i;
        w.record(id, kFt, [&] {
            w.frag();
            def = w.instance(
                def, [&] { event_template(w); },
                event_values(id, u"cmd.exe /c whoami " + std::u16string(1, u'0' + i % 10)));
            w.eof();
        });
    }
    w.finish();
    return w;
}

inline std::string file_of(const std::vector<ChunkWriter>& chunks, int header_chunks = -1,
                           uint32_t flags = 0) {
    std::string f(4096, '\0');
    std::memcpy(&f[0], "ElfFile", 8);
    uint64_t last = chunks.empty() ? 0 : chunks.size() - 1;
    std::memcpy(&f[16], &last, 8);
    uint32_t hs = 128;
    std::memcpy(&f[32], &hs, 4);
    uint16_t minor = 1, major = 3, block = 4096;
    uint16_t count = static_cast<uint16_t>(header_chunks < 0 ? chunks.size() : header_chunks);
    std::memcpy(&f[36], &minor, 2);
    std::memcpy(&f[38], &major, 2);
    std::memcpy(&f[40], &block, 2);
    std::memcpy(&f[42], &count, 2);
    std::memcpy(&f[120], &flags, 4);
    uint32_t crc = crc32(reinterpret_cast<const uint8_t*>(f.data()), 120);
    std::memcpy(&f[124], &crc, 4);
    for (auto& c : chunks) f.append(reinterpret_cast<const char*>(c.c.data()), c.c.size());
    return f;
}

}  // namespace sigil::evtx_test
