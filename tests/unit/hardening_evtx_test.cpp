// tests/unit/hardening_evtx_test.cpp — hostile EVTX input the crafted-file
// tests of evtx_reader_test.cpp do not cover yet: lying free-space and
// last-record offsets, impossible chunk counts, header-only files, sizes that
// are not multiples of 8, names outside the chunk, self-referencing templates,
// chunks of 0xFF, plus the replay of EVTX inputs the fuzzer found. It also
// writes the EVTX fuzz seeds (fuzz/corpus/evtx_bytes) when
// SIGIL_WRITE_EVTX_SEEDS names a directory (fuzz/make_seeds.py --tests).
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "evtx_test_writer.h"
#include "sigil/evtx.h"

using namespace sigil;
using namespace sigil::evtx_test;
namespace fs = std::filesystem;

namespace {

struct Outcome {
    EvtxStats stats;
    Diagnostics diags;
    std::vector<uint64_t> ids;
    bool has(const std::string& code) const {
        for (auto& d : diags)
            if (d.code == code) return true;
        return false;
    }
    std::string codes() const {
        std::string s;
        for (auto& d : diags) s += d.code + ": " + d.message + "\n";
        return s;
    }
};

Outcome read(const std::string& bytes, EvtxOptions opts = {}) {
    Outcome o;
    o.stats = read_evtx_bytes(
        bytes, "hostile.evtx",
        [&](const EvtxRecord& rec) {
            std::string x, j;
            rec.append_xml(x);
            rec.append_json(j);
            (void)rec.event().to_json();
            o.ids.push_back(rec.record_id);
            return true;
        },
        o.diags, opts);
    return o;
}

// Rewrites the chunk header CRC after a header field was changed on purpose,
// so the reader meets the lie and not just a bad checksum.
void reseal_header(ChunkWriter& c) {
    uint32_t h = crc32(&c.c[0], 120);
    c.put32(124, crc32(&c.c[128], 384, h));
}

// A chunk whose only template's definition names an element through
// `name_offset`, followed by a good record.
ChunkWriter chunk_with_name_offset(uint32_t name_offset) {
    ChunkWriter w;
    w.record(1, kFt, [&] {
        w.frag();
        w.instance(0,
                   [&] {
                       w.frag();
                       w.u8(0x01), w.u16(0xFFFF), w.u32(0);
                       w.u32(name_offset == 0 ? w.pos : name_offset);  // 0: the reference itself
                       w.close_start();
                       w.end();
                       w.eof();
                   },
                   {});
        w.eof();
    });
    w.record(2, kFt, [&] {
        w.frag();
        w.instance(
            0, [&] { event_template(w); }, event_values(2, u"after"));
        w.eof();
    });
    w.finish();
    return w;
}

// ---------------------------------------------------------------- offsets that lie

TEST(HardeningEvtx, FreeSpaceOffsetPastTheChunk) {
    ChunkWriter c = good_chunk(3);
    c.put32(48, 0xFFFFFFF0u);  // free space offset
    reseal_header(c);
    Outcome r = read(file_of({c}));
    EXPECT_EQ(r.ids, (std::vector<uint64_t>{1, 2, 3})) << r.codes();
    EXPECT_FALSE(r.diags.empty());
}

TEST(HardeningEvtx, LastRecordOffsetPastTheChunk) {
    ChunkWriter c = good_chunk(3);
    c.put32(44, 0x7FFFFFF0u);  // last record offset
    reseal_header(c);
    Outcome r = read(file_of({c}));
    EXPECT_EQ(r.ids, (std::vector<uint64_t>{1, 2, 3})) << r.codes();
}

TEST(HardeningEvtx, FirstAndLastRecordIdsLie) {
    ChunkWriter c = good_chunk(3);
    c.put64(8, ~0ull);  // first record number
    c.put64(16, 0);     // last record number
    reseal_header(c);
    Outcome r = read(file_of({c}));
    EXPECT_EQ(r.ids, (std::vector<uint64_t>{1, 2, 3})) << r.codes();
}

TEST(HardeningEvtx, HeaderOnlyAndImpossibleChunkCounts) {
    Outcome none = read(file_of({}));
    EXPECT_EQ(none.stats.records_read, 0u);
    EXPECT_TRUE(none.stats.file_ok) << none.codes();

    Outcome many = read(file_of({}, 0xFFFF));  // 65535 chunks announced, none present
    EXPECT_EQ(many.stats.records_read, 0u);
    EXPECT_TRUE(many.has("evtx.file.truncated")) << many.codes();

    Outcome some = read(file_of({good_chunk(2)}, 0xFFFF));
    EXPECT_EQ(some.ids, (std::vector<uint64_t>{1, 2}));
    EXPECT_TRUE(some.has("evtx.file.truncated"));
}

// ---------------------------------------------------------------- records that lie

TEST(HardeningEvtx, RecordSizeNotAMultipleOfEight) {
    ChunkWriter c = good_chunk(3);
    uint32_t at = c.record_offsets[0];
    uint32_t size;
    std::memcpy(&size, &c.c[at + 4], 4);
    c.put32(at + 4, size + 3);
    c.finish();
    Outcome r = read(file_of({c}));
    // an odd size three bytes too long is tolerated: all three records read
    EXPECT_EQ(r.ids, (std::vector<uint64_t>{1, 2, 3})) << r.codes();
}

TEST(HardeningEvtx, RecordSizeReachesPastTheChunkEnd) {
    ChunkWriter c = good_chunk(3);
    uint32_t at = c.record_offsets[2];
    c.put32(at + 4, 65536 - at + 8);  // just past the chunk, < 64 KiB
    c.finish();
    Outcome r = read(file_of({c, good_chunk(1, 4)}));
    EXPECT_EQ(r.ids, (std::vector<uint64_t>{1, 2, 4})) << r.codes();
    EXPECT_TRUE(r.has("evtx.record.bad_size"));
}

// Every record's size field set to every small value: never a crash, never
// more records than the chunk holds.
TEST(HardeningEvtx, EverySmallRecordSize) {
    for (uint32_t size = 0; size < 64; ++size) {
        ChunkWriter c = good_chunk(2);
        c.put32(c.record_offsets[1] + 4, size);
        c.finish();
        Outcome r = read(file_of({c}));
        ASSERT_LE(r.stats.records_read, 2u) << size;
        ASSERT_GE(r.stats.records_read, 1u) << size;  // record 1 is intact
        EXPECT_EQ(r.ids[0], 1u);
    }
}

// ---------------------------------------------------------------- names and templates

TEST(HardeningEvtx, ElementNameOutsideTheChunk) {
    for (uint32_t off : {0xFFFFFF00u, 65530u, 65536u}) {
        SCOPED_TRACE(off);
        Outcome r = read(file_of({chunk_with_name_offset(off)}));
        EXPECT_EQ(r.ids, (std::vector<uint64_t>{2})) << r.codes();
        EXPECT_EQ(r.stats.records_failed, 1u);
    }
    // Inside the chunk header: some bytes read as a name; the record after it
    // is still read.
    Outcome h = read(file_of({chunk_with_name_offset(100)}));
    ASSERT_FALSE(h.ids.empty());
    EXPECT_EQ(h.ids.back(), 2u);
}

TEST(HardeningEvtx, ElementNameReferencingItself) {
    Outcome r = read(file_of({chunk_with_name_offset(0)}));
    EXPECT_LE(r.stats.records_read, 2u);
    ASSERT_FALSE(r.ids.empty()) << r.codes();
    EXPECT_EQ(r.ids.back(), 2u);
}

// A template whose definition holds an instance of itself: bounded by the
// nesting limit, the next record still reads.
TEST(HardeningEvtx, SelfReferencingTemplate) {
    ChunkWriter w;
    w.record(1, kFt, [&] {
        w.frag();
        uint32_t def = w.pos + 1 + 1 + 4 + 4;
        w.u8(0x0c), w.u8(1), w.u32(0), w.u32(def);
        w.u32(0);
        for (int i = 0; i < 16; ++i) w.u8(0x77);
        uint32_t size_at = w.pos;
        w.u32(0);
        uint32_t start = w.pos;
        w.frag();
        w.u8(0x0c), w.u8(1), w.u32(0), w.u32(def);  // itself
        w.u32(0);                                   // no values
        w.eof();
        w.put32(size_at, w.pos - start);
        w.u32(0);  // the outer instance: no values
        w.eof();
    });
    w.record(2, kFt, [&] {
        w.frag();
        w.instance(
            0, [&] { event_template(w); }, event_values(2, u"after"));
        w.eof();
    });
    w.finish();
    Outcome r = read(file_of({w}));
    EXPECT_EQ(r.ids, (std::vector<uint64_t>{2})) << r.codes();
    EXPECT_EQ(r.stats.records_failed, 1u);
}

TEST(HardeningEvtx, ChunkOfOnes) {
    ChunkWriter ones;
    std::fill(ones.c.begin(), ones.c.end(), 0xFF);
    Outcome r = read(file_of({good_chunk(2), ones, good_chunk(1, 3)}));
    EXPECT_EQ(r.ids, (std::vector<uint64_t>{1, 2, 3})) << r.codes();
    EXPECT_EQ(r.stats.chunks_bad, 1u);
    EXPECT_TRUE(r.has("evtx.chunk.bad_magic"));
}

// ---------------------------------------------------------------- replay

// EVTX inputs the fuzzer found (tests/fixtures/hardening/evtx_bytes-*).
TEST(HardeningEvtx, ReplayFoundInputs) {
    std::string dir = std::string(SIGIL_TEST_DIR) + "/fixtures/hardening";
    for (auto& e : fs::directory_iterator(dir)) {
        if (e.path().filename().string().rfind("evtx_bytes-", 0) != 0) continue;
        SCOPED_TRACE(e.path().string());
        std::ifstream in(e.path(), std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        EvtxOptions o;
        o.recover_slack = true;
        Outcome r = read(ss.str(), o);
        EXPECT_EQ(r.stats.file_bytes, ss.str().size());
    }
}

// ---------------------------------------------------------------- fuzz seeds

// Small well-formed and damaged files for fuzz/corpus/evtx_bytes. A file is
// cut right after the used part of its last chunk (the reader reads such a
// chunk and reports the truncation), which keeps the seeds a few KB each.
std::string cut(const std::string& file, const ChunkWriter& last, size_t chunk_index) {
    return file.substr(0, 4096 + chunk_index * 65536 + last.pos);
}

TEST(HardeningEvtxSeeds, Write) {
    std::vector<std::pair<std::string, std::string>> seeds;
    ChunkWriter three = good_chunk(3);
    seeds.emplace_back("three_records", cut(file_of({three}), three, 0));
    ChunkWriter second = good_chunk(2, 4);
    seeds.emplace_back("two_chunks", cut(file_of({good_chunk(3), second}), second, 1));
    ChunkWriter names = chunk_with_name_offset(0xFFFFFF00u);
    seeds.emplace_back("bad_name_offset", cut(file_of({names}), names, 0));
    ChunkWriter dirty = good_chunk(3);
    dirty.put32(48, dirty.record_offsets[2]);
    reseal_header(dirty);
    seeds.emplace_back("dirty", cut(file_of({dirty}, -1, 1), dirty, 0));
    // every value type the writer knows, as substitutions of one record
    ChunkWriter types;
    types.record(1, kFt, [&] {
        types.frag();
        std::vector<ChunkWriter::Value> values = {
            {0x01, u16s(u"text")},
            {0x02, {'a', 'n', 's', 'i'}},
            {0x03, le(0x80, 1)},
            {0x04, le(200, 1)},
            {0x05, le(0x8000, 2)},
            {0x06, le(65535, 2)},
            {0x07, le(0x80000000u, 4)},
            {0x08, le(4294967295u, 4)},
            {0x09, le(~0ull, 8)},
            {0x0a, le(~0ull, 8)},
            {0x0b, le(0x3f800000, 4)},
            {0x0c, le(0x3ff0000000000000ull, 8)},
            {0x0d, le(1, 4)},
            {0x0e, {1, 2, 3, 4}},
            {0x0f, std::vector<uint8_t>(16, 0xab)},
            {0x10, le(0x1234, 4)},
            {0x11, le(kFt, 8)},
            {0x12, std::vector<uint8_t>(16, 1)},
            {0x13, {1, 2, 0, 0, 0, 0, 0, 5, 0x20, 0, 0, 0}},
            {0x14, le(0xdeadbeef, 4)},
            {0x15, le(0xdeadbeefcafeull, 8)},
            {0x81, u16s(std::u16string(u"x\0yy\0", 5))},
            {0x88, le(7, 4)},
        };
        types.instance(
            0,
            [&] {
                types.frag();
                types.open(u"Event", false);
                types.close_start();
                types.open(u"EventData", false);
                types.close_start();
                for (uint16_t k = 0; k < values.size(); ++k) {
                    types.open(u"Data", false);
                    types.close_start();
                    types.subst(k, values[k].type, true);
                    types.end();
                }
                types.end();
                types.end();
                types.eof();
            },
            values);
        types.eof();
    });
    types.finish();
    seeds.emplace_back("value_types", cut(file_of({types}), types, 0));

    size_t total = 0;
    for (auto& [name, bytes] : seeds) {
        SCOPED_TRACE(name);
        Outcome r = read(bytes);
        EXPECT_GE(r.stats.records_read, 1u) << r.codes();
        total += r.stats.records_read;
    }
    EXPECT_GE(total, 10u);

    const char* out = std::getenv("SIGIL_WRITE_EVTX_SEEDS");
    if (!out) return;
    for (auto& [name, bytes] : seeds)
        std::ofstream(fs::path(out) / ("seed_" + name + ".evtx"), std::ios::binary) << bytes;
}

}  // namespace
