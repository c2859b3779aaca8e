// events/jsonl/reader.cpp — JSON event files (lines, concatenated documents,
// top-level arrays) streamed into sigil::Event in the evtx_dump, flat and ECS
// layouts (sigil/jsonl.h).
#include <simdjson.h>

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>

#include "sigil/jsonl.h"

namespace sigil {

namespace dom = simdjson::dom;

const char* json_layout_name(JsonLayout l) {
    switch (l) {
        case JsonLayout::Auto:
            return "auto";
        case JsonLayout::EvtxDump:
            return "evtx";
        case JsonLayout::Flat:
            return "flat";
        case JsonLayout::Ecs:
            return "ecs";
    }
    return "auto";
}

bool parse_json_layout(std::string_view s, JsonLayout& out) {
    for (JsonLayout l : {JsonLayout::Auto, JsonLayout::EvtxDump, JsonLayout::Flat, JsonLayout::Ecs})
        if (s == json_layout_name(l)) {
            out = l;
            return true;
        }
    return false;
}

/* Timestamps: the date, an optional time after 'T' or ' ', optional fraction,
 * optional zone (Z or ±hh[:]mm). Days since the epoch by the civil-calendar
 * formula, so no time zone database or locale is involved.
 */
bool parse_timestamp(std::string_view s, int64_t& unix_ms) {
    auto digits = [&](size_t at, size_t n, int& v) {
        if (at + n > s.size()) return false;
        v = 0;
        for (size_t i = at; i < at + n; ++i) {
            if (s[i] < '0' || s[i] > '9') return false;
            v = v * 10 + (s[i] - '0');
        }
        return true;
    };
    int y, mo, d, h = 0, mi = 0, se = 0;
    if (!digits(0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(5, 2, mo) || s[7] != '-' ||
        !digits(8, 2, d) || mo < 1 || mo > 12 || d < 1 || d > 31)
        return false;
    size_t i = 10;
    int64_t ms = 0;
    if (i < s.size() && (s[i] == 'T' || s[i] == ' ')) {
        if (!digits(i + 1, 2, h) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(i + 4, 2, mi))
            return false;
        i += 6;
        if (i < s.size() && s[i] == ':') {
            if (!digits(i + 1, 2, se)) return false;
            i += 3;
        }
        if (i < s.size() && (s[i] == '.' || s[i] == ',')) {
            ++i;
            int scale = 100;
            while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
                ms += (s[i] - '0') * scale;
                scale /= 10;
                ++i;
            }
        }
    }
    int64_t offset_min = 0;
    if (i < s.size()) {
        if (s[i] == 'Z' || s[i] == 'z') {
            ++i;
        } else if (s[i] == '+' || s[i] == '-') {
            int oh, om = 0;
            if (!digits(i + 1, 2, oh)) return false;
            size_t j = i + 3;
            if (j < s.size() && s[j] == ':') ++j;
            if (j < s.size()) {
                if (!digits(j, 2, om)) return false;
                j += 2;
            }
            offset_min = (oh * 60 + om) * (s[i] == '-' ? -1 : 1);
            i = j;
        }
    }
    if (i != s.size()) return false;
    // days from civil (proleptic Gregorian)
    int64_t yy = mo <= 2 ? y - 1 : y;
    int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
    int64_t yoe = yy - era * 400;
    int64_t doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    int64_t days = era * 146097 + doe - 719468;
    unix_ms = ((days * 24 + h) * 60 + mi - offset_min) * 60000 + int64_t(se) * 1000 + ms;
    return true;
}

namespace {

// Storage for names and values made while flattening one document (joined
// names like Provider_Name). Blocks are kept across documents and reused.
class TextArena {
  public:
    std::string_view join(std::string_view a, std::string_view sep, std::string_view b) {
        size_t n = a.size() + sep.size() + b.size();
        char* p = alloc(n);
        std::memcpy(p, a.data(), a.size());
        std::memcpy(p + a.size(), sep.data(), sep.size());
        std::memcpy(p + a.size() + sep.size(), b.data(), b.size());
        return {p, n};
    }
    void reset() {
        block_ = 0;
        used_ = 0;
    }

  private:
    char* alloc(size_t n) {
        while (block_ < blocks_.size()) {
            if (used_ + n <= sizes_[block_]) {
                char* p = blocks_[block_].get() + used_;
                used_ += n;
                return p;
            }
            ++block_;
            used_ = 0;
        }
        add(std::max<size_t>(n, 64 << 10));  // block_ is now the new last block
        used_ = n;
        return blocks_[block_].get();
    }
    void add(size_t n) {
        blocks_.emplace_back(new char[n]);
        sizes_.push_back(n);
    }
    std::vector<std::unique_ptr<char[]>> blocks_;
    std::vector<size_t> sizes_;
    size_t block_ = 0, used_ = 0;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    return s;
}

// Typed access after the type was checked (no exceptions, no warnings).
template <class T>
T as(dom::element e) {
    T out{};
    if (e.get(out)) return T{};
    return out;
}
dom::object as_object(dom::element e) {
    return as<dom::object>(e);
}
dom::array as_array(dom::element e) {
    return as<dom::array>(e);
}

bool is_xmlns(std::string_view n) {
    return n == "xmlns" || n.substr(0, 6) == "xmlns:";
}

/* Flattening. The DOM parser validates the whole document first (so a bad
 * document never yields a partial event) and uses the best SIMD kernel of the
 * running CPU. Walking the tape then emits fields; an element's "#text" and
 * "#attributes" are looked at together (a "Data" element may name itself
 * through its Name attribute). The rules mirror the EVTX reader's so the same
 * record gives the same fields whether it was read from .evtx or from
 * evtx_dump JSON.
 */
struct Flattener {
    Event& ev;
    TextArena& arena;
    JsonLayout layout;
    uint32_t max_depth;
    int kind = 0;  // 0 flat, 1 evtx_dump, 2 ecs

    void add(std::string_view name, std::string_view v, bool is_null) {
        ev.fields.push_back(EventField{name, v, is_null});
    }

    // Text of a scalar: strings unescaped, integers in decimal, doubles in
    // their shortest round-trip form, booleans true/false. False for
    // objects and arrays.
    bool scalar(dom::element v, std::string_view& out, bool& is_null) {
        is_null = false;
        char buf[40];
        switch (v.type()) {
            case dom::element_type::STRING:
                out = as<std::string_view>(v);
                return true;
            case dom::element_type::INT64: {
                auto r = std::to_chars(buf, buf + sizeof buf, as<int64_t>(v));
                out = arena.join({buf, size_t(r.ptr - buf)}, "", "");
                return true;
            }
            case dom::element_type::UINT64: {
                auto r = std::to_chars(buf, buf + sizeof buf, as<uint64_t>(v));
                out = arena.join({buf, size_t(r.ptr - buf)}, "", "");
                return true;
            }
            case dom::element_type::DOUBLE: {
                auto r = std::to_chars(buf, buf + sizeof buf, as<double>(v));
                out = arena.join({buf, size_t(r.ptr - buf)}, "", "");
                return true;
            }
            case dom::element_type::BOOL:
                out = as<bool>(v) ? "true" : "false";
                return true;
            case dom::element_type::NULL_VALUE:
                out = {};
                is_null = true;
                return true;
            default:
                return false;
        }
    }

    // Generic: nested objects as dotted paths, arrays as repeated names.
    void dotted(dom::element v, std::string_view path, uint32_t depth) {
        if (depth > max_depth) return;
        if (v.type() == dom::element_type::OBJECT) {
            for (auto [k, x] : as_object(v))
                dotted(x, path.empty() ? k : arena.join(path, ".", k), depth + 1);
            return;
        }
        if (v.type() == dom::element_type::ARRAY) {
            for (dom::element x : as_array(v)) dotted(x, path, depth + 1);
            return;
        }
        std::string_view s;
        bool null;
        if (scalar(v, s, null)) add(path, s, null);
    }

    struct Piece {
        std::string_view name, value;
        bool is_null;
    };

    // "#text" values: a scalar or an array of scalars.
    void text_values(dom::element v, std::vector<Piece>& out) {
        Piece p{};
        if (v.type() == dom::element_type::ARRAY) {
            for (dom::element x : as_array(v))
                if (scalar(x, p.value, p.is_null)) out.push_back(p);
            return;
        }
        if (scalar(v, p.value, p.is_null)) out.push_back(p);
    }

    void attributes(dom::element v, std::vector<Piece>& out) {
        if (v.type() != dom::element_type::OBJECT) return;
        for (auto [k, x] : as_object(v)) {
            Piece p{};
            p.name = k;
            if (!is_xmlns(k) && scalar(x, p.value, p.is_null)) out.push_back(p);
        }
    }

    // A child of System: text as the element's name, attributes as Name_Attr;
    // an element without text gives no field (as in the EVTX reader).
    void system_element(std::string_view name, dom::element v, uint32_t depth) {
        if (depth > max_depth) return;
        std::vector<Piece> texts, attrs;
        if (v.type() == dom::element_type::OBJECT) {
            for (auto [k, x] : as_object(v)) {
                if (k == "#text")
                    text_values(x, texts);
                else if (k == "#attributes")
                    attributes(x, attrs);
                else
                    system_element(k, x, depth + 1);
            }
        } else {
            text_values(v, texts);
        }
        for (auto& p : texts)
            if (!p.is_null) add(name, p.value, false);
        for (auto& p : attrs) add(arena.join(name, "_", p.name), p.value, p.is_null);
    }

    // An element of a data section (EventData, UserData, ...): leaves by name;
    // a leaf without text is an explicit null.
    void data_element(std::string_view prefix, std::string_view name, dom::element v,
                      uint32_t depth) {
        if (depth > max_depth) return;
        if (v.type() == dom::element_type::ARRAY) {
            for (dom::element x : as_array(v)) data_element(prefix, name, x, depth + 1);
            return;
        }
        if (v.type() != dom::element_type::OBJECT) {
            std::string_view s;
            bool null;
            if (scalar(v, s, null))
                add(prefix.empty() ? name : arena.join(prefix, "", name), s, null);
            return;
        }
        std::vector<Piece> texts, attrs;
        bool children = false;
        for (auto [k, x] : as_object(v)) {
            if (k == "#text") {
                text_values(x, texts);
            } else if (k == "#attributes") {
                attributes(x, attrs);
            } else {
                children = true;
                data_element(prefix, k, x, depth + 1);
            }
        }
        if (children) return;  // text and attributes of inner elements are not fields
        bool named = false;
        if (name == "Data")
            for (auto& a : attrs)
                if (a.name == "Name" && !a.is_null) {
                    name = a.value;
                    named = true;
                }
        std::string_view full = prefix.empty() ? name : arena.join(prefix, "", name);
        if (texts.empty()) add(full, {}, true);
        for (auto& p : texts) add(full, p.value, p.is_null);
        if (!named)
            for (auto& a : attrs) add(arena.join(full, "_", a.name), a.value, a.is_null);
    }

    void section(dom::element v, std::string_view prefix) {
        std::string_view data_name =
            prefix.empty() ? std::string_view("Data") : arena.join(prefix, "", "Data");
        if (v.type() == dom::element_type::ARRAY) {
            data_element(prefix, "Data", v, 1);
            return;
        }
        if (v.type() != dom::element_type::OBJECT) {
            std::string_view s;
            bool null;
            if (scalar(v, s, null) && !null) add(data_name, s, false);
            return;
        }
        for (auto [k, x] : as_object(v)) {
            if (k == "#attributes") continue;
            if (k == "#text") {
                std::vector<Piece> texts;
                text_values(x, texts);
                for (auto& p : texts) add(data_name, p.value, p.is_null);
            } else {
                data_element(prefix, k, x, 1);
            }
        }
    }

    void evtx_event(dom::object o) {
        for (auto [k, x] : o) {
            if (k == "#attributes") continue;
            if (k == "System") {
                if (x.type() == dom::element_type::OBJECT)
                    for (auto [sk, sx] : as_object(x)) system_element(sk, sx, 2);
            } else if (k == "RenderingInfo") {
                section(x, "RenderingInfo_");
            } else {
                section(x, "");
            }
        }
    }

    void ecs_winlog(dom::object o) {
        static const std::pair<std::string_view, std::string_view> renames[] = {
            {"channel", "Channel"},
            {"event_id", "EventID"},
            {"provider_name", "Provider_Name"},
            {"provider_guid", "Provider_Guid"},
            {"computer_name", "Computer"},
            {"record_id", "EventRecordID"},
            {"version", "Version"},
        };
        for (auto [k, x] : o) {
            if ((k == "event_data" || k == "user_data") && x.type() == dom::element_type::OBJECT) {
                for (auto [dk, dx] : as_object(x)) dotted(dx, dk, 3);
                continue;
            }
            if (k == "process" && x.type() == dom::element_type::OBJECT) {
                // winlog.process.pid / .thread.id → Execution_ProcessID / _ThreadID
                for (auto [pk, px] : as_object(x)) {
                    if (pk == "pid") {
                        dotted(px, "Execution_ProcessID", 3);
                    } else if (pk == "thread" && px.type() == dom::element_type::OBJECT) {
                        for (auto [tk, tx] : as_object(px))
                            dotted(tx,
                                   tk == "id" ? std::string_view("Execution_ThreadID")
                                              : arena.join("winlog.process.thread", ".", tk),
                                   4);
                    } else {
                        dotted(px, arena.join("winlog.process", ".", pk), 3);
                    }
                }
                continue;
            }
            std::string_view name;
            for (auto& [from, to] : renames)
                if (k == from) name = to;
            dotted(x, name.empty() ? arena.join("winlog", ".", k) : name, 2);
        }
    }

    void document(dom::object o) {
        for (auto [k, v] : o) {
            if (k == "Event" && v.type() == dom::element_type::OBJECT &&
                (layout == JsonLayout::Auto || layout == JsonLayout::EvtxDump)) {
                kind = 1;
                evtx_event(as_object(v));
            } else if (k == "winlog" && v.type() == dom::element_type::OBJECT &&
                       (layout == JsonLayout::Auto || layout == JsonLayout::Ecs)) {
                kind = 2;
                ecs_winlog(as_object(v));
            } else {
                dotted(v, k, 1);
            }
        }
    }
};

/* Document framing. The first document decides the file's framing:
 *  - lines: it starts and ends on one line → every line is one document, and
 *    a bad line is one diagnostic (memchr finds the line ends);
 *  - concatenated: it spans lines (pretty printed) or the file starts with
 *    '[' → documents are delimited by bracket depth outside strings, and
 *    ',' '[' ']' between documents are skipped (top-level arrays).
 * The buffer holds one read block plus the current document (up to
 * max_document_bytes), with simdjson's padding allocated past the data.
 */
class DocumentStream {
  public:
    using Reader = std::function<size_t(char*, size_t)>;
    DocumentStream(Reader rd, const std::string& name, const EventSink& sink, Diagnostics& diags,
                   const JsonReadOptions& opts)
        : read_(std::move(rd)),
          file_(std::make_shared<const std::string>(name)),
          sink_(sink),
          diags_(diags),
          opts_(opts) {}

    JsonReadStats run() {
        grow(kBlock);
        bool first = true;
        while (!stopped()) {
            // Skip whitespace (and array punctuation in concatenated mode).
            while (true) {
                while (pos_ < end_) {
                    char c = buf_[pos_];
                    if (c == '\n') {
                        ++line_;
                        ++pos_;
                    } else if (c == ' ' || c == '\t' || c == '\r' ||
                               (mode_ == Mode::Concat && (c == ',' || c == '[' || c == ']'))) {
                        ++pos_;
                    } else {
                        break;
                    }
                }
                if (pos_ < end_ || eof_) break;
                if (!fill()) break;
            }
            if (pos_ >= end_) break;
            if (first) {
                first = false;
                if (end_ - pos_ >= 3 && std::memcmp(buf_.get() + pos_, "\xEF\xBB\xBF", 3) == 0) {
                    pos_ += 3;
                    first = true;
                    continue;
                }
                if (buf_[pos_] == '[') {
                    mode_ = Mode::Concat;
                    ++pos_;
                    continue;
                }
            }
            if (mode_ == Mode::Lines) {
                if (!next_line()) break;
            } else {
                if (!next_framed()) break;
            }
        }
        if (suppressed_) {
            Diagnostic d;
            d.severity = Severity::Warning;
            d.code = "jsonl.diagnostics.suppressed";
            d.message = std::to_string(suppressed_) + " more problems in this file were not listed";
            d.loc.file = file_;
            diags_.push_back(d);
        }
        return stats_;
    }

  private:
    enum class Mode { Unknown, Lines, Concat };
    static constexpr size_t kBlock = 1 << 20;

    bool stopped() const { return stats_.stopped || !stats_.file_ok; }

    void grow(size_t want) {
        if (want + simdjson::SIMDJSON_PADDING <= cap_) return;
        size_t ncap = std::max(want, cap_ * 2) + simdjson::SIMDJSON_PADDING;
        std::unique_ptr<char[]> n(new char[ncap]);
        if (end_ > pos_) std::memcpy(n.get(), buf_.get() + pos_, end_ - pos_);
        end_ -= pos_;
        pos_ = 0;
        buf_ = std::move(n);
        cap_ = ncap;
    }

    // Moves the unread bytes to the front and reads more; false at EOF.
    bool fill() {
        if (eof_) return false;
        if (pos_ > 0) {
            std::memmove(buf_.get(), buf_.get() + pos_, end_ - pos_);
            end_ -= pos_;
            pos_ = 0;
        }
        if (end_ + kBlock + simdjson::SIMDJSON_PADDING > cap_) grow(end_ + kBlock);
        size_t n = read_(buf_.get() + end_, kBlock);
        if (n == size_t(-1)) {
            error("jsonl.file.read", "read error: " + std::string(std::strerror(errno)), line_);
            stats_.file_ok = false;
            eof_ = true;
            return false;
        }
        if (n == 0) eof_ = true;
        end_ += n;
        stats_.bytes += n;
        std::memset(buf_.get() + end_, ' ', simdjson::SIMDJSON_PADDING);
        return n > 0;
    }

    void error(const char* code, std::string msg, uint64_t line) {
        ++problems_;
        if (problems_ > opts_.max_diagnostics) {
            ++suppressed_;
            return;
        }
        Diagnostic d;
        d.code = code;
        d.message = std::move(msg);
        d.loc.file = file_;
        d.loc.line = uint32_t(line);
        d.loc.col = 1;
        diags_.push_back(std::move(d));
    }

    bool next_line() {
        while (true) {
            const char* nl =
                static_cast<const char*>(std::memchr(buf_.get() + pos_, '\n', end_ - pos_));
            if (nl || eof_) {
                size_t stop = nl ? size_t(nl - buf_.get()) : end_;
                if (stop - pos_ > opts_.max_document_bytes) {
                    too_large(line_);
                } else {
                    process(pos_, stop - pos_, line_);
                }
                pos_ = nl ? stop + 1 : end_;
                ++line_;
                return true;
            }
            if (end_ - pos_ > opts_.max_document_bytes) {
                too_large(line_);
                // drop everything up to the next newline
                while (true) {
                    pos_ = end_;
                    if (!fill()) return false;
                    const char* n2 = static_cast<const char*>(std::memchr(buf_.get(), '\n', end_));
                    if (n2) {
                        pos_ = size_t(n2 - buf_.get()) + 1;
                        ++line_;
                        return true;
                    }
                }
            }
            if (!fill()) continue;  // eof_ now set: the loop takes the last line
        }
    }

    void too_large(uint64_t line) {
        ++stats_.documents;
        ++stats_.bad_documents;
        error(
            "jsonl.document.too_large",
            "document larger than " + std::to_string(opts_.max_document_bytes) + " bytes, skipped",
            line);
    }

    // Finds the end of the document at pos_ by bracket depth; returns its
    // length, 0 when more input is needed, SIZE_MAX when it does not start a
    // document.
    size_t frame(size_t& newlines) const {
        char c0 = buf_[pos_];
        if (c0 != '{' && c0 != '[') return SIZE_MAX;
        int depth = 0;
        bool in_str = false;
        newlines = 0;
        for (size_t i = pos_; i < end_; ++i) {
            char c = buf_[i];
            if (c == '\n') ++newlines;
            if (in_str) {
                if (c == '\\')
                    ++i;
                else if (c == '"')
                    in_str = false;
                continue;
            }
            if (c == '"')
                in_str = true;
            else if (c == '{' || c == '[')
                ++depth;
            else if ((c == '}' || c == ']') && --depth == 0)
                return i + 1 - pos_;
        }
        return 0;
    }

    bool next_framed() {
        while (true) {
            size_t nls = 0;
            size_t len = frame(nls);
            if (len == SIZE_MAX) {
                // Not a document start: the file is line-oriented junk or
                // JSON lines with a bad first line; switch to lines.
                if (mode_ == Mode::Unknown) {
                    mode_ = Mode::Lines;
                    return true;
                }
                ++stats_.documents;
                ++stats_.bad_documents;
                error("jsonl.parse", "expected a JSON object", line_);
                skip_to_next_line();
                return true;
            }
            if (len == 0) {
                if (end_ - pos_ > opts_.max_document_bytes) {
                    too_large(line_);
                    skip_to_next_line();
                    return true;
                }
                if (eof_) {
                    if (mode_ == Mode::Unknown) {
                        mode_ = Mode::Lines;
                        return true;
                    }
                    ++stats_.documents;
                    ++stats_.bad_documents;
                    error("jsonl.parse", "the document is not complete at the end of the file",
                          line_);
                    pos_ = end_;
                    return false;
                }
                fill();
                continue;
            }
            if (mode_ == Mode::Unknown) {
                // One line, and nothing but blanks after it on that line → lines.
                size_t after = pos_ + len;
                while (after < end_ &&
                       (buf_[after] == ' ' || buf_[after] == '\t' || buf_[after] == '\r'))
                    ++after;
                mode_ =
                    nls == 0 && (after >= end_ || buf_[after] == '\n') ? Mode::Lines : Mode::Concat;
                if (mode_ == Mode::Lines) return true;
            }
            process(pos_, len, line_);
            line_ += nls;
            pos_ += len;
            return true;
        }
    }

    void skip_to_next_line() {
        while (true) {
            const char* nl =
                static_cast<const char*>(std::memchr(buf_.get() + pos_, '\n', end_ - pos_));
            if (nl) {
                pos_ = size_t(nl - buf_.get());
                return;
            }
            pos_ = end_;
            if (!fill()) return;
        }
    }

    void process(size_t at, size_t len, uint64_t line) {
        std::string_view text = trim(std::string_view(buf_.get() + at, len));
        if (text.empty()) return;
        ++stats_.documents;
        event_.fields.clear();
        arena_.reset();
        Flattener fl{event_, arena_, opts_.layout, opts_.max_depth};
        size_t offset = size_t(text.data() - buf_.get());
        (void)offset;
        dom::element root;
        auto e = parser_.parse(text.data(), text.size(), false).get(root);
        if (e) {
            ++stats_.bad_documents;
            error("jsonl.parse", std::string("not valid JSON: ") + simdjson::error_message(e),
                  line);
            return;
        }
        if (root.type() != dom::element_type::OBJECT) {
            ++stats_.bad_documents;
            error("jsonl.not_object", "the document is not a JSON object", line);
            return;
        }
        fl.document(as_object(root));
        if (fl.kind == 0) flat_aliases();
        (fl.kind == 1 ? stats_.evtx_dump : fl.kind == 2 ? stats_.ecs : stats_.flat)++;
        event_.source = *file_;
        event_.record_id = line;
        event_.raw = text;
        event_.time_unix_ms = event_time();
        ++stats_.events;
        if (!sink_(event_)) stats_.stopped = true;
    }

    // NXLog/OTRF exports: SourceName is the provider, Hostname the computer.
    void flat_aliases() {
        const EventField *src = nullptr, *host = nullptr;
        bool prov = false, comp = false;
        for (auto& f : event_.fields) {
            if (f.name == "Provider_Name")
                prov = true;
            else if (f.name == "Computer")
                comp = true;
            else if (f.name == "SourceName" && !src)
                src = &f;
            else if (f.name == "Hostname" && !host)
                host = &f;
        }
        EventField add[2];
        int n = 0;
        if (!prov && src) add[n++] = {"Provider_Name", src->value, src->is_null};
        if (!comp && host) add[n++] = {"Computer", host->value, host->is_null};
        for (int i = 0; i < n; ++i) event_.fields.push_back(add[i]);
    }

    int64_t event_time() const {
        static const std::string_view names[] = {"TimeCreated_SystemTime",
                                                 "@timestamp",
                                                 "UtcTime",
                                                 "EventTime",
                                                 "TimeCreated",
                                                 "timestamp"};
        for (auto n : names)
            if (const EventField* f = event_.find(n); f && !f->is_null) {
                int64_t ms;
                if (parse_timestamp(f->value, ms)) return ms;
            }
        return 0;
    }

    Reader read_;
    std::shared_ptr<const std::string> file_;
    const EventSink& sink_;
    Diagnostics& diags_;
    const JsonReadOptions& opts_;
    JsonReadStats stats_;
    std::unique_ptr<char[]> buf_;
    size_t cap_ = 0, pos_ = 0, end_ = 0;
    bool eof_ = false;
    uint64_t line_ = 1;
    Mode mode_ = Mode::Unknown;
    uint64_t problems_ = 0, suppressed_ = 0;
    dom::parser parser_;
    Event event_;
    TextArena arena_;
};

}  // namespace

JsonReadStats read_json_file(const std::string& path, const EventSink& sink, Diagnostics& diags,
                             const JsonReadOptions& opts) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) {
        Diagnostic d;
        d.code = "jsonl.file.open";
        d.message = "cannot open: " + std::string(std::strerror(errno));
        d.loc.file = std::make_shared<const std::string>(path);
        diags.push_back(d);
        JsonReadStats s;
        s.file_ok = false;
        return s;
    }
    DocumentStream ds(
        [f](char* dst, size_t n) -> size_t {
            size_t got = std::fread(dst, 1, n, f);
            if (got == 0 && std::ferror(f)) return size_t(-1);
            return got;
        },
        path, sink, diags, opts);
    JsonReadStats s = ds.run();
    std::fclose(f);
    return s;
}

JsonReadStats read_json_bytes(std::string_view bytes, const std::string& name,
                              const EventSink& sink, Diagnostics& diags,
                              const JsonReadOptions& opts) {
    size_t at = 0;
    DocumentStream ds(
        [&](char* dst, size_t n) -> size_t {
            size_t k = std::min(n, bytes.size() - at);
            std::memcpy(dst, bytes.data() + at, k);
            at += k;
            return k;
        },
        name, sink, diags, opts);
    return ds.run();
}

}  // namespace sigil
