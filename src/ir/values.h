// ir/values.h — how one event value is compared with one rule value: case
// folding, wildcards, numbers, networks, timestamp parts and regexes. The one
// definition of these semantics, used by the reference interpreter
// (ir/eval.cpp), the compiled engine (src/engine) and the Sigma loader's
// value checks (sigma/detection.cpp).
#pragma once

#include <re2/re2.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "sigil/ir.h"

typedef struct pcre2_real_code_8 pcre2_code_8;

namespace sigil::values {

// Unicode simple lower-case folding per code point (utf8proc), ASCII fast
// path, invalid bytes kept as they are. Appends to `out`.
void fold_into(std::string_view s, std::string& out);
std::string fold(std::string_view s);
bool is_ascii(std::string_view s);

// A wildcard pattern in canonical glob text (ir.h), tokenized once.
class Glob {
  public:
    Glob() = default;
    explicit Glob(std::string_view canonical);
    bool match(std::string_view s) const;
    // The literal runs between wildcards (unescaped).
    std::vector<std::string> literals() const;

  private:
    struct Tok {
        enum Kind : uint8_t { Lit, Star, One } k;
        char c;
    };
    std::vector<Tok> toks_;
};

// A regex: RE2 first, PCRE2 (with a match limit) when RE2 rejects the
// pattern (lookaround, backreferences). Neither → never matches. Compiled
// on first use (thread-safe): most regexes of a large rule set are never
// evaluated, because the prefilter or the gate rules their rule out.
class Regex {
  public:
    Regex(const std::string& pattern, uint8_t flags);
    ~Regex();
    bool ok() const {
        compile();
        return re2_ || pcre_;
    }
    bool uses_pcre() const {
        compile();
        return pcre_ != nullptr;
    }
    bool search(std::string_view s) const;

  private:
    void compile() const {
        std::call_once(once_, [this] { build(); });
    }
    void build() const;
    std::string pattern_;
    uint8_t flags_ = 0;
    mutable std::once_flag once_;
    mutable std::unique_ptr<RE2> re2_;
    mutable pcre2_code_8* pcre_ = nullptr;
};

// Literals a regular expression needs (RE2's prefilter analysis): when it
// returns true, every text the expression matches contains one of `out`
// (ASCII, compared caselessly): 1. No such set (some match needs no literal
// of at least min_len bytes): 0. RE2 rejects the pattern: -1.
int regex_required_literals(const std::string& pattern, uint8_t flags, size_t min_len,
                            std::vector<std::string>& out);

// An IPv4 or IPv6 address to 16 bytes (IPv4 in the first four) and its
// width, 32 or 128. `strict` for rule values (IPv4 parts of 1-3 digits only),
// lenient for event values (IPv4 parts as sscanf's %u reads them).
bool parse_ip(std::string_view text, uint8_t out[16], int& bits, bool strict = false);

// A network "a.b.c.d/n" or IPv6 "x::/n", parsed once.
class Network {
  public:
    explicit Network(const std::string& text);
    bool valid() const { return valid_; }
    bool contains(std::string_view ip) const;

  private:
    bool valid_ = false;
    uint8_t bytes_[16] = {};
    int bits_ = 0;
    int prefix_ = 0;
};

// A whole string that strtod reads completely (no leading blank).
bool number_of(std::string_view s, double& d);
// Part of an ISO-8601-ish timestamp "YYYY-MM-DD[T ]hh:mm..." (as written).
bool time_part_of(std::string_view s, TimePart tp, double& out);
bool compare_numbers(Op op, double a, double b);

}  // namespace sigil::values
