// events/evtx/reader.cpp — the file and chunk layers of the EVTX reader:
// file header, 64 KiB chunks, checksums, record framing, recovery, and the
// public read_evtx_* entry points.
//
// How a file is read
// ------------------
// The file header (4 KiB) is checked (magic, CRC32 of its first 120 bytes,
// dirty flag, chunk count) but never trusted for the layout: chunks are taken
// from the file size, one 64 KiB read at a time into a reused buffer (a
// truncated last chunk is zero-padded), so memory stays at one chunk plus its
// template cache and one record's tree whatever the file size.
//
// In a chunk, records start at offset 512 and follow each other: magic
// 2a 2a 00 00, u32 size, u64 record id, u64 FILETIME, BinXML, u32 copy of the
// size. The chunk header's free-space offset says where records end. A record
// whose size is impossible, or whose size copy disagrees, is reported and the
// reader re-synchronises by scanning forward for the next record magic whose
// size and size copy agree; a record whose BinXML does not decode is counted as
// failed and skipped. Dirty files may hold complete records past the
// free-space offset (the header was not updated): they are read as long as
// they are well-formed and their ids continue the sequence. A chunk with a bad
// header checksum, a bad records checksum, a damaged magic or a zeroed header
// is reported and still read (with the whole chunk as the record area when
// the header cannot be trusted). All-zero chunks are unused space.
//
// Diagnostics are values (Diagnostic with code "evtx.*"); at most
// `max_diagnostics_per_code` per code and file are kept, the rest are counted
// in one summary.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <memory>

#include "events/evtx/binxml.h"
#include "events/evtx/record_view.h"
#include "events/evtx/text.h"
#include "sigil/evtx.h"

namespace sigil {

EvtxStats& EvtxStats::operator+=(const EvtxStats& o) {
    file_bytes += o.file_bytes;
    chunks_total += o.chunks_total;
    chunks_empty += o.chunks_empty;
    chunks_bad += o.chunks_bad;
    records_read += o.records_read;
    records_failed += o.records_failed;
    records_recovered += o.records_recovered;
    records_slack += o.records_slack;
    templates += o.templates;
    file_ok = file_ok && o.file_ok;
    stopped = stopped || o.stopped;
    return *this;
}

void EvtxRecord::append_xml(std::string& out) const {
    evtx_detail::render_xml(root_, out);
}
void EvtxRecord::append_json(std::string& out) const {
    evtx_detail::render_json(root_, out);
}

namespace evtx_detail {
namespace {

constexpr uint32_t kFileHeaderSize = 4096;
constexpr uint32_t kChunkSize = 65536;
constexpr uint32_t kChunkHeaderSize = 512;
constexpr uint32_t kRecordHeaderSize = 24;
constexpr uint32_t kRecordMagic = 0x00002a2a;
constexpr char kFileMagic[8] = {'E', 'l', 'f', 'F', 'i', 'l', 'e', 0};
constexpr char kChunkMagic[8] = {'E', 'l', 'f', 'C', 'h', 'n', 'k', 0};

// Where bytes come from: the file mapped into memory, or bytes the caller
// holds. Full chunks are decoded in place; a cut-short last chunk is copied
// into a zero-padded buffer.
struct Source {
    const uint8_t* data = nullptr;
    uint64_t size = 0;
};

std::string hex(uint64_t v) {
    char b[24];
    std::snprintf(b, sizeof b, "0x%llx", static_cast<unsigned long long>(v));
    return b;
}

class FileReader {
  public:
    FileReader(const std::string& name, const EvtxRecordSink& sink, Diagnostics& diags,
               const EvtxOptions& opts)
        : name_(name),
          file_(std::make_shared<const std::string>(name)),
          sink_(sink),
          diags_(diags),
          opts_(opts),
          decoder_(opts) {
        event_.source = name_;
        event_.fields.reserve(64);
    }

    EvtxStats run(const Source& src);

  private:
    void diag(Severity sev, const char* code, std::string msg) {
        uint32_t& n = diag_counts_[code];
        if (++n > opts_.max_diagnostics_per_code) return;
        Diagnostic d;
        d.severity = sev;
        d.code = code;
        d.message = std::move(msg);
        d.loc.file = file_;
        diags_.push_back(std::move(d));
    }
    void finish_diags() {
        for (auto& [code, n] : diag_counts_) {
            if (n <= opts_.max_diagnostics_per_code) continue;
            Diagnostic d;
            d.severity = Severity::Info;
            d.code = "evtx.diagnostics.suppressed";
            d.message = std::to_string(n - opts_.max_diagnostics_per_code) + " more '" + code +
                        "' diagnostics in this file";
            d.loc.file = file_;
            diags_.push_back(std::move(d));
        }
    }

    bool chunk(uint64_t index, uint64_t file_off, uint32_t avail, bool counted);
    bool record_plausible(uint32_t off) const;
    uint32_t scan(uint32_t from) const;
    // Returns false when the sink asked to stop.
    bool emit_record(uint64_t file_off, uint32_t off, uint32_t size, bool recovered,
                     bool slack = false);

    const std::string& name_;
    std::shared_ptr<const std::string> file_;
    const EvtxRecordSink& sink_;
    Diagnostics& diags_;
    const EvtxOptions& opts_;
    ChunkDecoder decoder_;
    std::map<std::string, uint32_t> diag_counts_;
    EvtxStats stats_;
    Event event_;
    const uint8_t* buf_ = nullptr;    // the current chunk (64 KiB readable)
    std::unique_ptr<uint8_t[]> pad_;  // a cut-short chunk, zero-padded
    uint64_t chunk_index_ = 0;
    bool noted_extra_chunks_ = false;
};

// A well-formed record frame at `off`: magic, size that fits the chunk, and
// the size copy at the end agreeing with it.
bool FileReader::record_plausible(uint32_t off) const {
    if (static_cast<uint64_t>(off) + kRecordHeaderSize > kChunkSize) return false;
    if (le32(buf_ + off) != kRecordMagic) return false;
    uint32_t size = le32(buf_ + off + 4);
    if (size < kRecordHeaderSize + 4 + 4 || static_cast<uint64_t>(off) + size > kChunkSize)
        return false;
    return le32(buf_ + off + size - 4) == size;
}

uint32_t FileReader::scan(uint32_t from) const {
    for (uint32_t off = from; off + kRecordHeaderSize <= kChunkSize; ++off) {
        if (buf_[off] != 0x2a || buf_[off + 1] != 0x2a) continue;
        if (record_plausible(off)) return off;
    }
    return kChunkSize;
}

bool FileReader::emit_record(uint64_t file_off, uint32_t off, uint32_t size, bool recovered,
                             bool slack) {
    uint64_t id = le64(buf_ + off + 8);
    uint64_t written = le64(buf_ + off + 16);
    DecodeError err;
    Node* doc = decoder_.decode_record(off + kRecordHeaderSize, off + size - 4, err);
    if (!doc && slack) return true;
    if (slack) ++stats_.records_slack;
    if (!doc) {
        ++stats_.records_failed;
        diag(Severity::Warning, err.code ? err.code : "evtx.record.bad_binxml",
             "chunk " + std::to_string(chunk_index_) + ", record " + std::to_string(id) +
                 " at file offset " + hex(file_off + off) + ": " + err.message);
        return true;
    }
    flatten_record(doc, event_, decoder_.record_arena(), written);
    event_.record_id = id;
    EvtxRecord rec;
    rec.record_id = id;
    rec.written_unix_ms = filetime_to_unix_ms(written);
    rec.file_offset = file_off + off;
    rec.root_ = doc;
    rec.event_ = &event_;
    ++stats_.records_read;
    if (recovered) ++stats_.records_recovered;
    if (!sink_(rec)) {
        stats_.stopped = true;
        return false;
    }
    return true;
}

bool FileReader::chunk(uint64_t index, uint64_t file_off, uint32_t avail, bool counted) {
    chunk_index_ = index;
    const std::string where =
        "chunk " + std::to_string(index) + " (file offset " + hex(file_off) + ")";
    bool magic_ok = std::memcmp(buf_, kChunkMagic, 8) == 0;
    if (!magic_ok) {
        bool header_zero = true;
        for (uint32_t i = 0; i < kChunkHeaderSize && header_zero; ++i) header_zero = buf_[i] == 0;
        if (header_zero && le32(buf_ + kChunkHeaderSize) != kRecordMagic) {
            // Unused space (or a chunk wiped to zero: reported when the header counts it).
            ++stats_.chunks_empty;
            bool all_zero = true;
            for (uint32_t i = kChunkHeaderSize; i < kChunkSize && all_zero; i += 8)
                all_zero = le64(buf_ + i) == 0;
            if (counted)
                diag(Severity::Warning, all_zero ? "evtx.chunk.zeroed" : "evtx.chunk.bad_magic",
                     where + (all_zero ? " is all zero" : " has a zeroed header and no records"));
            return true;
        }
        ++stats_.chunks_bad;
        diag(Severity::Warning, "evtx.chunk.bad_magic",
             where + " has no ElfChnk signature; scanning it for records");
    }
    if (!counted && !noted_extra_chunks_) {
        noted_extra_chunks_ = true;
        diag(Severity::Info, "evtx.file.chunk_count_mismatch",
             where + " lies beyond the chunk count of the file header; reading it");
    }
    uint32_t limit = kChunkSize;  // end of the record area
    bool trusted = magic_ok;
    if (magic_ok) {
        uint32_t fso = le32(buf_ + 48);
        bool bad = false;
        if (opts_.verify_checksums) {
            uint32_t crc = crc32(buf_, 120);
            crc = crc32(buf_ + 128, kChunkHeaderSize - 128, crc);
            if (crc != le32(buf_ + 124)) {
                bad = true;
                diag(Severity::Warning, "evtx.chunk.bad_crc",
                     where + ": header checksum " + hex(le32(buf_ + 124)) + " != computed " +
                         hex(crc) + "; reading its records anyway");
            }
        }
        if (fso < kChunkHeaderSize || fso > kChunkSize) {
            bad = true;
            trusted = false;
            diag(Severity::Warning, "evtx.chunk.bad_free_space",
                 where + ": free-space offset " + hex(fso) + " is outside the chunk; scanning");
        } else {
            limit = fso;
            if (opts_.verify_checksums) {
                uint32_t crc = crc32(buf_ + kChunkHeaderSize, fso - kChunkHeaderSize);
                if (crc != le32(buf_ + 52)) {
                    bad = true;
                    diag(Severity::Warning, "evtx.chunk.bad_records_crc",
                         where + ": records checksum " + hex(le32(buf_ + 52)) + " != computed " +
                             hex(crc) + "; reading its records anyway");
                }
            }
        }
        if (bad) ++stats_.chunks_bad;
    }
    if (avail < kChunkSize) {
        diag(Severity::Warning, "evtx.chunk.truncated",
             where + " is cut short at " + std::to_string(avail) + " bytes");
    }
    decoder_.begin_chunk(buf_, kChunkSize);

    uint32_t off = kChunkHeaderSize;
    uint64_t last_id = 0;
    bool have_last = false;
    bool scanning = !trusted;  // records found without a trusted frame count as recovered
    while (static_cast<uint64_t>(off) + kRecordHeaderSize <= kChunkSize) {
        bool past_free = off >= limit;
        if (past_free && !opts_.recover_past_free_space) break;
        if (le32(buf_ + off) != kRecordMagic) {
            if (past_free) break;
            if (!trusted && le64(buf_ + off) == 0) break;  // end of the used part
            diag(Severity::Warning, "evtx.record.bad_magic",
                 where + ": no record signature at chunk offset " + hex(off) +
                     (opts_.scan_for_records ? "; scanning for the next record" : ""));
            if (!opts_.scan_for_records) break;
            off = scan(off + 1);
            scanning = true;
            continue;
        }
        uint32_t size = le32(buf_ + off + 4);
        bool size_ok =
            size >= kRecordHeaderSize + 4 + 4 && static_cast<uint64_t>(off) + size <= kChunkSize;
        bool copy_ok = size_ok && le32(buf_ + off + size - 4) == size;
        uint64_t id = le64(buf_ + off + 8);
        if (past_free) {
            // Only complete records that continue the id sequence.
            if (!copy_ok || (have_last && id != last_id + 1)) break;
        }
        if (!size_ok) {
            ++stats_.records_failed;
            diag(Severity::Warning, "evtx.record.bad_size",
                 where + ": record " + std::to_string(id) + " at chunk offset " + hex(off) +
                     " has impossible size " + std::to_string(size));
            if (!opts_.scan_for_records) break;
            off = scan(off + 1);
            scanning = true;
            continue;
        }
        if (!copy_ok) {
            diag(Severity::Warning, "evtx.record.size_mismatch",
                 where + ": record " + std::to_string(id) + " at chunk offset " + hex(off) +
                     " has size " + std::to_string(size) + " but its size copy says " +
                     std::to_string(le32(buf_ + off + size - 4)));
            // The BinXML decoder is bounded by the claimed size; what decodes is kept.
        }
        if (!emit_record(file_off, off, size, scanning || past_free)) return false;
        last_id = id;
        have_last = true;
        uint32_t next = off + size;
        if (!copy_ok && opts_.scan_for_records && !record_plausible(next)) {
            next = scan(off + 1);
            scanning = true;
        }
        off = next;
    }
    if (opts_.recover_slack) {
        // Unused space after the live records: stale records of the chunk's earlier
        // use. Only complete frames are tried; those that do not decode are dropped
        // silently (they are leftovers, not damage).
        uint32_t from = off > limit ? off : limit;
        for (uint32_t s = scan(from); s < kChunkSize;) {
            uint32_t size = le32(buf_ + s + 4);
            if (!emit_record(file_off, s, size, true, true)) return false;
            s = record_plausible(s + size) ? s + size : scan(s + 1);
        }
    }
    return true;
}

EvtxStats FileReader::run(const Source& src) {
    stats_.file_bytes = src.size;
    if (src.size < kFileHeaderSize) {
        stats_.file_ok = false;
        bool magic = src.size >= 8 && std::memcmp(src.data, kFileMagic, 8) == 0;
        diag(Severity::Error, magic ? "evtx.file.truncated" : "evtx.file.bad_magic",
             magic ? "file is cut short inside its header (" + std::to_string(src.size) + " bytes)"
                   : "not an EVTX file (" + std::to_string(src.size) +
                         " bytes, no ElfFile signature)");
        finish_diags();
        return stats_;
    }
    const uint8_t* header = src.data;
    uint64_t chunks = (src.size - kFileHeaderSize + kChunkSize - 1) / kChunkSize;
    stats_.chunks_total = chunks;
    uint64_t header_chunks = chunks;
    if (std::memcmp(header, kFileMagic, 8) != 0) {
        // Not an EVTX header: read on only if the first chunk looks like one.
        bool chunk_magic = src.size >= kFileHeaderSize + 8 &&
                           std::memcmp(src.data + kFileHeaderSize, kChunkMagic, 8) == 0;
        diag(Severity::Error, "evtx.file.bad_magic",
             chunk_magic ? "file header has no ElfFile signature; reading its chunks anyway"
                         : "not an EVTX file (no ElfFile signature)");
        if (!chunk_magic) {
            stats_.file_ok = false;
            finish_diags();
            return stats_;
        }
    } else {
        if (opts_.verify_checksums && crc32(header, 120) != le32(header + 124))
            diag(Severity::Warning, "evtx.file.bad_crc", "file header checksum mismatch");
        uint32_t flags = le32(header + 120);
        if (flags & 1)
            diag(Severity::Info, "evtx.file.dirty",
                 "file is marked dirty (not cleanly closed); records past the chunks' free-space "
                 "offsets are recovered when complete");
        header_chunks = le16(header + 42);
        if (header_chunks > chunks)
            diag(Severity::Warning, "evtx.file.truncated",
                 "file header counts " + std::to_string(header_chunks) +
                     " chunks but the file holds " + std::to_string(chunks));
    }
    for (uint64_t i = 0; i < chunks; ++i) {
        uint64_t off = kFileHeaderSize + i * kChunkSize;
        uint64_t got = src.size - off < kChunkSize ? src.size - off : kChunkSize;
        if (got == kChunkSize) {
            buf_ = src.data + off;
        } else {
            if (!pad_) pad_.reset(new uint8_t[kChunkSize]);
            std::memcpy(pad_.get(), src.data + off, got);
            std::memset(pad_.get() + got, 0, kChunkSize - got);
            buf_ = pad_.get();
        }
        if (got < kChunkHeaderSize + kRecordHeaderSize) {
            diag(Severity::Warning, "evtx.chunk.truncated",
                 "chunk " + std::to_string(i) + " is cut short at " + std::to_string(got) +
                     " bytes");
            ++stats_.chunks_bad;
            continue;
        }
        if (!chunk(i, off, static_cast<uint32_t>(got), i < header_chunks)) break;
    }
    stats_.templates = decoder_.templates_compiled();
    if (stats_.records_slack)
        diag(Severity::Info, "evtx.file.slack_records",
             std::to_string(stats_.records_slack) +
                 " stale records recovered from unused chunk space");
    finish_diags();
    return stats_;
}

}  // namespace
}  // namespace evtx_detail

EvtxStats read_evtx_bytes(std::string_view bytes, const std::string& name,
                          const EvtxRecordSink& sink, Diagnostics& diags, const EvtxOptions& opts) {
    evtx_detail::Source src;
    src.data = reinterpret_cast<const uint8_t*>(bytes.data());
    src.size = bytes.size();
    auto reader = std::make_unique<evtx_detail::FileReader>(name, sink, diags, opts);
    return reader->run(src);
}

EvtxStats read_evtx_records(const std::string& path, const EvtxRecordSink& sink, Diagnostics& diags,
                            const EvtxOptions& opts) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || ::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int e = errno;
        if (fd >= 0) ::close(fd);
        Diagnostic d;
        d.code = "evtx.file.open";
        d.message =
            fd >= 0 ? "not a regular file" : std::string("cannot open: ") + std::strerror(e);
        d.loc.file = std::make_shared<const std::string>(path);
        diags.push_back(std::move(d));
        EvtxStats s;
        s.file_ok = false;
        return s;
    }
    // The file is mapped read-only: full chunks are decoded where they lie and
    // the kernel pages them in sequentially; only page cache is used.
    evtx_detail::Source src;
    src.size = static_cast<uint64_t>(st.st_size);
    void* map = nullptr;
    std::unique_ptr<uint8_t[]> copy;
    if (src.size > 0) {
        map = ::mmap(nullptr, src.size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            // Not mappable (special file system): read it instead.
            map = nullptr;
            copy.reset(new uint8_t[src.size]);
            uint64_t got = 0;
            while (got < src.size) {
                ssize_t r = ::pread(fd, copy.get() + got, src.size - got, static_cast<off_t>(got));
                if (r < 0 && errno == EINTR) continue;
                if (r <= 0) break;
                got += static_cast<uint64_t>(r);
            }
            src.size = got;
            src.data = copy.get();
        } else {
            ::madvise(map, src.size, MADV_SEQUENTIAL);
            src.data = static_cast<const uint8_t*>(map);
        }
    }
    ::close(fd);
    static const uint8_t empty[1] = {0};
    if (!src.data) src.data = empty;
    auto reader = std::make_unique<evtx_detail::FileReader>(path, sink, diags, opts);
    EvtxStats s = reader->run(src);
    if (map) ::munmap(map, static_cast<size_t>(src.size));
    return s;
}

EvtxStats read_evtx_file(const std::string& path, const EventSink& sink, Diagnostics& diags,
                         const EvtxOptions& opts) {
    return read_evtx_records(
        path, [&](const EvtxRecord& r) { return sink(r.event()); }, diags, opts);
}

}  // namespace sigil
