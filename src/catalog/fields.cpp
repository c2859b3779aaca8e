// catalog/fields.cpp — the field-name table relating Sigma (Windows/Sysmon) field names to
// the Splunk CIM and WinEventLog names used by security_content and Armory rules, and the
// canonical predicate form that lets indicators and neighbors be compared across languages.
#include <xxhash.h>

#include <algorithm>
#include <string>
#include <unordered_map>

#include "sigil/catalog.h"

namespace sigil {

namespace {

using R = FieldRelation;

/* The table. Left: the Sigma field (Sysmon / Security event data names, as Sigma's
 * Windows rules write them). Right: the field a Splunk rule tests for the same thing —
 * CIM datamodel fields with their object prefix (Processes., Filesystem., Registry.,
 * All_Traffic., DNS.), the same names without prefix (what `drop_dm_object_name` leaves),
 * and WinEventLog/XmlWinEventLog names. Basename rows: the right-hand field holds only the
 * last path component of the left-hand one, so `Image endswith "\psexec.exe"` and
 * `process_name = "psexec.exe"` test the same thing. Facts, listed by hand from the CIM
 * manual's field lists and the Splunk Windows add-on's field names. */
constexpr FieldAlias kAliases[] = {
    // Endpoint.Processes (process_creation)
    {"Image", "Processes.process_path", R::Same},
    {"Image", "process_path", R::Same},
    {"Image", "Processes.process_name", R::Basename},
    {"Image", "process_name", R::Basename},
    {"Image", "New_Process_Name", R::Same},
    {"CommandLine", "Processes.process", R::Same},
    {"CommandLine", "process", R::Same},
    {"CommandLine", "Process_Command_Line", R::Same},
    {"ParentImage", "Processes.parent_process_path", R::Same},
    {"ParentImage", "parent_process_path", R::Same},
    {"ParentImage", "Processes.parent_process_name", R::Basename},
    {"ParentImage", "parent_process_name", R::Basename},
    {"ParentImage", "Creator_Process_Name", R::Same},
    {"ParentCommandLine", "Processes.parent_process", R::Same},
    {"ParentCommandLine", "parent_process", R::Same},
    {"OriginalFileName", "Processes.original_file_name", R::Same},
    {"OriginalFileName", "original_file_name", R::Same},
    {"User", "Processes.user", R::Same},
    {"ProcessId", "Processes.process_id", R::Same},
    {"ProcessId", "process_id", R::Same},
    {"ParentProcessId", "Processes.parent_process_id", R::Same},
    {"ParentProcessId", "parent_process_id", R::Same},
    {"CurrentDirectory", "Processes.process_current_directory", R::Same},
    {"IntegrityLevel", "Processes.process_integrity_level", R::Same},
    {"Hashes", "Processes.process_hash", R::Same},
    {"Computer", "Processes.dest", R::Same},
    // Endpoint.Filesystem (file_event)
    {"TargetFilename", "Filesystem.file_path", R::Same},
    {"TargetFilename", "file_path", R::Same},
    {"TargetFilename", "Filesystem.file_name", R::Basename},
    {"TargetFilename", "file_name", R::Basename},
    // Endpoint.Registry (registry_*)
    {"TargetObject", "Registry.registry_path", R::Same},
    {"TargetObject", "registry_path", R::Same},
    {"TargetObject", "Registry.registry_key_name", R::Same},
    {"Details", "Registry.registry_value_data", R::Same},
    {"Details", "registry_value_data", R::Same},
    // Network_Traffic (network_connection)
    {"DestinationIp", "All_Traffic.dest_ip", R::Same},
    {"DestinationIp", "dest_ip", R::Same},
    {"DestinationPort", "All_Traffic.dest_port", R::Same},
    {"DestinationPort", "dest_port", R::Same},
    {"SourceIp", "All_Traffic.src_ip", R::Same},
    {"SourceIp", "src_ip", R::Same},
    {"SourcePort", "All_Traffic.src_port", R::Same},
    {"SourcePort", "src_port", R::Same},
    // Network_Resolution (dns_query)
    {"QueryName", "DNS.query", R::Same},
    {"QueryName", "query", R::Same},
    // WinEventLog names
    {"EventID", "EventCode", R::Same},
    {"EventID", "signature_id", R::Same},
    {"Provider_Name", "SourceName", R::Same},
    {"Channel", "LogName", R::Same},
    {"ServiceName", "Service_Name", R::Same},
    {"ServiceName", "service_name", R::Same},
    {"ImagePath", "Service_File_Name", R::Same},
    {"ServiceType", "Service_Type", R::Same},
    {"StartType", "Service_Start_Type", R::Same},
    {"ScriptBlockText", "ScriptBlockText", R::Same},
    {"ShareName", "Share_Name", R::Same},
    {"RelativeTargetName", "Relative_Target_Name", R::Same},
    {"TargetUserName", "Account_Name", R::Same},
    {"LogonType", "Logon_Type", R::Same},
};

std::string lower(std::string_view s) {
    std::string r(s);
    for (auto& c : r) c = (c >= 'A' && c <= 'Z') ? char(c + 32) : c;
    return r;
}

struct AliasIndex {
    // lower-case field name → (canonical sigma name, relation)
    std::unordered_map<std::string, std::pair<std::string, FieldRelation>> by_name;
    AliasIndex() {
        for (const FieldAlias& a : kAliases)
            by_name.emplace(lower(a.other), std::make_pair(lower(a.sigma), a.relation));
    }
};

const AliasIndex& alias_index() {
    static const AliasIndex idx;
    return idx;
}

bool folds(const Pred& p) {
    if (p.cased || p.value.kind != ValueKind::String) return false;
    switch (p.op) {
        case Op::Eq:
        case Op::Contains:
        case Op::StartsWith:
        case Op::EndsWith:
        case Op::Glob:
            return true;
        default:
            return false;
    }
}

}  // namespace

std::span<const FieldAlias> field_aliases() {
    return kAliases;
}

uint64_t CanonicalPred::hash() const {
    uint64_t h = XXH3_64bits_withSeed(field.data(), field.size(), 0xCA7A);
    uint64_t bits = uint64_t(op) | uint64_t(cased) << 8 | uint64_t(re_flags) << 16;
    h = XXH3_64bits_withSeed(&bits, sizeof bits, h);
    return XXH3_64bits_withSeed(value.data(), value.size(), h);
}

/* Canonicalization: the field goes through the alias table (unknown fields stay as they
 * are, lower-cased), then a basename relation turns the predicate into a test of the last
 * path component: on a Sigma path field, `endswith "\name"` (no further backslash or
 * wildcard in name; also the glob `*\name`) becomes `<field>:basename eq name`; on the
 * right-hand basename field,
 * the value is already a basename and `eq` stays `eq`. Other operators on basename fields
 * keep their meaning on `<field>:basename`. */
CanonicalPred canonical_pred(const Pred& p) {
    CanonicalPred c;
    c.op = p.op;
    c.cased = p.cased;
    c.re_flags = p.re_flags;
    c.value = p.value.text();
    if (folds(p)) c.value = lower(c.value);
    std::string f = lower(p.field);
    auto& idx = alias_index().by_name;
    auto it = idx.find(f);
    if (it != idx.end()) {
        f = it->second.first;
        if (it->second.second == FieldRelation::Basename) f += ":basename";
    }
    static const std::string path_fields[] = {"image", "parentimage", "targetfilename"};
    bool path_field =
        std::find(std::begin(path_fields), std::end(path_fields), f) != std::end(path_fields);
    // `endswith "\name"`, or the glob `*\\name` (the canonical glob escaping doubles a
    // literal backslash) without other wildcards or escapes in name.
    std::string v = c.value;
    bool suffix = p.op == Op::EndsWith;
    if (p.op == Op::Glob && v.size() > 3 && v[0] == '*' && v[1] == '\\' && v[2] == '\\' &&
        v.find_first_of("*?\\", 3) == std::string::npos) {
        v = v.substr(2);  // "\name"
        suffix = true;
    }
    if (path_field && suffix && v.size() > 1 && v[0] == '\\' &&
        v.find('\\', 1) == std::string::npos) {
        c.value = v.substr(1);
        c.op = Op::Eq;
        f += ":basename";
    }
    c.field = std::move(f);
    return c;
}

}  // namespace sigil
