// sigil/yaml.h — a located YAML tree for rule and pipeline files: libfyaml's
// event parser underneath, YAML 1.1 scalar typing (as PyYAML, which Sigma
// tooling uses), duplicate-key and alias-bomb protection.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sigil/ir.h"

namespace sigil {

struct YamlNode {
    enum class Kind : uint8_t { Scalar, Seq, Map };
    // Resolved type of a scalar (plain scalars follow YAML 1.1: yes/no/on/off
    // are booleans, 010 is octal, 0x10 hex, ~ null; quoted scalars are strings).
    enum class Type : uint8_t { Str, Int, Float, Bool, Null };

    Kind kind = Kind::Scalar;
    Type type = Type::Null;
    bool quoted = false;  // single/double quoted or block scalar
    std::string text;     // scalar text after YAML unescaping
    int64_t i = 0;
    double f = 0;
    bool b = false;
    uint32_t line = 0, col = 0;                          // 1-based
    std::vector<YamlNode> items;                         // Seq
    std::vector<std::pair<YamlNode, YamlNode>> entries;  // Map (keys are scalars)

    // Declared here and defaulted in yaml.cpp: with an inline default
    // constructor, clang + libstdc++ 12 instantiate pair<YamlNode, YamlNode>'s
    // constraints while the pair is still incomplete (hard error).
    YamlNode();

    bool is_scalar() const { return kind == Kind::Scalar; }
    bool is_map() const { return kind == Kind::Map; }
    bool is_seq() const { return kind == Kind::Seq; }
    bool is_null() const { return kind == Kind::Scalar && type == Type::Null; }
    bool is_str() const { return kind == Kind::Scalar && type == Type::Str; }
    const YamlNode* get(std::string_view key) const;
    // Flow-style text of any node, for custom attributes and messages.
    std::string flow() const;
};

struct YamlDocument {
    YamlNode root;
    uint32_t line = 1;   // where the document starts
    bool empty = false;  // an explicit document with no content
};

struct YamlLimits {
    size_t max_nodes = 2'000'000;  // per document, after alias expansion
    size_t max_depth = 512;
    size_t max_bytes = 64u << 20;  // per file
};

// Parses a YAML stream. Errors (syntax, duplicate keys, limits) become
// diagnostics located in `file`; the documents parsed before the error are
// kept. Returns false when the stream had an error.
bool parse_yaml(std::string_view text, const std::shared_ptr<const std::string>& file,
                std::vector<YamlDocument>& docs, Diagnostics& diags, const YamlLimits& limits = {});

}  // namespace sigil

namespace sigil {
// The block-style fast path used by parse_yaml; returns false when the text is
// outside its subset (then nothing is appended). Exposed for tests.
bool parse_yaml_fast(std::string_view text, std::vector<YamlDocument>& docs,
                     const YamlLimits& limits = {});
// parse_yaml without the fast path (libfyaml only). Exposed for tests.
bool parse_yaml_slow(std::string_view text, const std::shared_ptr<const std::string>& file,
                     std::vector<YamlDocument>& docs, Diagnostics& diags,
                     const YamlLimits& limits = {});
}  // namespace sigil

namespace sigil {
// Workarounds for libfyaml 0.7.12, shared by its users (the Sigma front-end and
// the Splunk loader); docs/hardening.md tells how the fuzzers found them.
// Where a text stops being printable YAML (YAML 1.2 c-printable: UTF-8 without
// NUL, other C0 controls than tab/LF/CR, DEL, C1 controls other than NEL, U+FFFE
// and U+FFFF): 1-based line and column (in characters) and byte offset of the
// first bad byte, and the code point there (kNotUtf8 when the bytes are not
// UTF-8); line 0 (false) when all is printable. libfyaml misreads, hangs or
// crashes on such texts, so every YAML loader checks first.
struct YamlTextPos {
    static constexpr uint32_t kNotUtf8 = 0xFFFFFFFFu;
    uint32_t line = 0, col = 0;
    size_t offset = 0;
    uint32_t code_point = kNotUtf8;
    explicit operator bool() const { return line != 0; }
    // "invalid UTF-8 at byte 12" or "control character U+000B at byte 12".
    std::string what() const;
};
YamlTextPos yaml_unprintable(std::string_view text);
// The value of a single-quoted scalar from the bytes between its quotes
// ('' escapes, line folding): libfyaml leaks memory on runs of escaped quotes
// and drops a quote from some of them.
std::string yaml_decode_single_quoted(std::string_view body);
// The value of a double-quoted scalar from its bytes (quotes optional): every
// escape, line folding and escaped line breaks, which libfyaml mangles (and
// on which it leaks memory).
std::string yaml_decode_double_quoted(std::string_view raw);
}  // namespace sigil
