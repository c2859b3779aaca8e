// tests/unit/sigma_validators_test.cpp — collection-wide validators
// (validate_collection): unique ids, titles and file names, file name length,
// ATT&CK tags through a caller-supplied check. Per-document validators are
// fixtures in tests/fixtures/conformance/validators.yml.
#include <gtest/gtest.h>

#include <string>

#include "sigil/sigma.h"
#include "sigil/validate.h"

using namespace sigil;

namespace {

// Loads each (path, text) as its own file, then runs the collection validators.
Diagnostics validate(const std::vector<std::pair<std::string, std::string>>& files,
                     const AttackTagCheck& attack = {}) {
    SigmaCollection c;
    for (auto& [path, text] : files) load_sigma_text(text, path, c);
    link_sigma_collection(c);
    for (auto& d : c.diagnostics)
        EXPECT_NE(d.severity, Severity::Error) << d.loc.str() << " " << d.code << " " << d.message;
    Diagnostics out;
    validate_collection(c.rules, out, attack);
    return out;
}

size_t count(const Diagnostics& ds, const std::string& code) {
    size_t n = 0;
    for (auto& d : ds) n += d.code == code;
    return n;
}

std::string rule(const std::string& title, const std::string& id = "",
                 const std::string& tags = "") {
    std::string r = "title: " + title + "\n";
    if (!id.empty()) r += "id: " + id + "\n";
    if (!tags.empty()) r += "tags: " + tags + "\n";
    return r + "logsource: {product: windows}\ndetection: {sel: {f: 1}, condition: sel}\n";
}

// covers: VALID-ID-UNIQUE COLL-UNIQUE-ID-NAME
TEST(SigmaValidators, IdentifierUniqueness) {
    const char* id = "0e1f1d9c-3b7a-41ee-be56-0242ac120001";
    auto d = validate(
        {{"rules/first_rule.yml", rule("a", id)}, {"rules/second_rule.yml", rule("b", id)}});
    EXPECT_EQ(count(d, "sigma.validator.identifier_uniqueness"), 1u);
    auto ok =
        validate({{"rules/first_rule.yml", rule("a", id)},
                  {"rules/second_rule.yml", rule("b", "0e1f1d9c-3b7a-41ee-be56-0242ac120002")}});
    EXPECT_EQ(count(ok, "sigma.validator.identifier_uniqueness"), 0u);
}

// covers: VALID-TITLE-UNIQUE
TEST(SigmaValidators, DuplicateTitle) {
    auto d = validate({{"rules/first_rule.yml", rule("Same title")},
                       {"rules/second_rule.yml", rule("Same title")}});
    EXPECT_EQ(count(d, "sigma.validator.duplicate_title"), 1u);
}

// covers: VALID-FILENAME-UNIQUE
TEST(SigmaValidators, DuplicateFilename) {
    auto d = validate({{"a/proc_creation_x.yml", rule("a")}, {"b/proc_creation_x.yml", rule("b")}});
    EXPECT_EQ(count(d, "sigma.validator.duplicate_filename"), 1u);
    // several documents of one file are not duplicates
    auto one = validate({{"a/proc_creation_x.yml", rule("a") + "---\n" + rule("b")}});
    EXPECT_EQ(count(one, "sigma.validator.duplicate_filename"), 0u);
}

// covers: VALID-FILENAME-LENGTH META-FILENAME
TEST(SigmaValidators, FilenameLength) {
    std::string name70 = std::string(66, 'a') + ".yml";  // 70 characters
    std::string name71 = std::string(67, 'a') + ".yml";
    EXPECT_EQ(count(validate({{"r/short.yml", rule("a")}}), "sigma.validator.filename_length"), 1u);
    EXPECT_EQ(count(validate({{"r/abcde1.yml", rule("a")}}), "sigma.validator.filename_length"),
              0u);
    EXPECT_EQ(count(validate({{"r/" + name70, rule("a")}}), "sigma.validator.filename_length"), 0u);
    EXPECT_EQ(count(validate({{"r/" + name71, rule("a")}}), "sigma.validator.filename_length"), 1u);
}

// covers: VALID-TAG-ATTACK META-TAG-ATTACK-ID
TEST(SigmaValidators, AttackTagsGoThroughTheKnowledgeCheck) {
    std::vector<std::string> asked;
    AttackTagCheck check = [&](const std::string& t) -> std::string {
        asked.push_back(t);
        return t == "t9999" ? "unknown technique T9999" : "";
    };
    auto d = validate(
        {{"r/attack_tags.yml",
          rule("a", "", "[attack.execution, attack.t1059.001, attack.t9999, car.2016-04-005]")}},
        check);
    EXPECT_EQ(count(d, "sigma.validator.attacktag"), 1u);
    EXPECT_EQ(asked, (std::vector<std::string>{"execution", "t1059.001", "t9999"}));
}

}  // namespace
