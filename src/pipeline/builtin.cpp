// pipeline/builtin.cpp — the built-in pipelines, written in the same pySigma
// YAML format users write and loaded by the same loader: sysmon,
// windows-audit, winlogbeat, ecs-windows, splunk-windows, splunk-cim,
// logpoint-windows. Field names and channel names are public facts of the
// Windows event schemas and of the target products.
#include <string>
#include <vector>

#include "pipeline/pipeline_internal.h"

namespace sigil {
namespace pipeline_detail {
namespace {

// Windows log-source services and their event-log channels.
const std::vector<std::pair<const char*, const char*>>& channels() {
    static const std::vector<std::pair<const char*, const char*>> c = {
        {"security", "Security"},
        {"system", "System"},
        {"application", "Application"},
        {"sysmon", "Microsoft-Windows-Sysmon/Operational"},
        {"powershell", "Microsoft-Windows-PowerShell/Operational"},
        {"powershell-classic", "Windows PowerShell"},
        {"taskscheduler", "Microsoft-Windows-TaskScheduler/Operational"},
        {"wmi", "Microsoft-Windows-WMI-Activity/Operational"},
        {"dns-server", "DNS Server"},
        {"driver-framework", "Microsoft-Windows-DriverFrameworks-UserMode/Operational"},
        {"windefend", "Microsoft-Windows-Windows Defender/Operational"},
        {"bits-client", "Microsoft-Windows-Bits-Client/Operational"},
        {"firewall-as", "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall"},
        {"codeintegrity-operational", "Microsoft-Windows-CodeIntegrity/Operational"},
        {"printservice-operational", "Microsoft-Windows-PrintService/Operational"},
        {"printservice-admin", "Microsoft-Windows-PrintService/Admin"},
        {"ntlm", "Microsoft-Windows-NTLM/Operational"},
        {"terminalservices-localsessionmanager",
         "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational"},
        {"smbclient-security", "Microsoft-Windows-SmbClient/Security"},
        {"appxdeployment-server", "Microsoft-Windows-AppXDeploymentServer/Operational"},
        {"capi2", "Microsoft-Windows-CAPI2/Operational"},
        {"openssh", "OpenSSH/Operational"},
        {"shell-core", "Microsoft-Windows-Shell-Core/Operational"},
        {"diagnosis-scripted", "Microsoft-Windows-Diagnosis-Scripted/Operational"},
        {"lsa-server", "Microsoft-Windows-LSA/Operational"},
        {"security-mitigations", "Microsoft-Windows-Security-Mitigations/Kernel Mode"},
        {"msexchange-management", "MSExchange Management"},
        {"ldap", "Microsoft-Windows-LDAP-Client/Debug"},
        {"bitlocker", "Microsoft-Windows-BitLocker/BitLocker Management"},
        {"vhdmp", "Microsoft-Windows-VHDMP-Operational"},
        {"hyper-v-worker", "Microsoft-Windows-Hyper-V-Worker"},
        {"appmodel-runtime", "Microsoft-Windows-AppModel-Runtime/Admin"},
        {"dhcp", "Microsoft-Windows-DHCP-Server/Operational"},
    };
    return c;
}

std::string yq(const std::string& s) {  // YAML single-quoted scalar
    std::string o = "'";
    for (char c : s) {
        if (c == '\'') o += '\'';
        o += c;
    }
    return o + "'";
}

std::string channel_conditions(const std::string& field, const std::string& prefix) {
    std::string y;
    for (auto& [svc, ch] : channels()) {
        y += "  - id: channel_" + std::string(svc) +
             "\n    type: add_condition\n    conditions:\n      " + field + ": " + yq(prefix + ch) +
             "\n    rule_conditions:\n      - type: logsource\n        product: windows\n        "
             "service: " +
             svc + "\n";
    }
    return y;
}

std::string sysmon_yaml() {
    static const std::vector<std::pair<const char*, std::vector<int>>> cats = {
        {"process_creation", {1}},
        {"file_change", {2}},
        {"network_connection", {3}},
        {"sysmon_status", {4, 16}},
        {"process_termination", {5}},
        {"driver_load", {6}},
        {"image_load", {7}},
        {"create_remote_thread", {8}},
        {"raw_access_thread", {9}},
        {"raw_access_read", {9}},
        {"process_access", {10}},
        {"file_event", {11}},
        {"registry_add", {12}},
        {"registry_delete", {12}},
        {"registry_set", {13}},
        {"registry_rename", {14}},
        {"registry_event", {12, 13, 14}},
        {"create_stream_hash", {15}},
        {"pipe_created", {17, 18}},
        {"wmi_event", {19, 20, 21}},
        {"dns_query", {22}},
        {"file_delete", {23}},
        {"clipboard_capture", {24}},
        {"process_tampering", {25}},
        {"file_delete_detected", {26}},
        {"file_block_executable", {27}},
        {"file_block_shredding", {28}},
        {"file_executable_detected", {29}},
        {"sysmon_error", {255}},
    };
    std::string y = "name: sysmon\npriority: 10\ntransformations:\n";
    for (auto& [cat, ids] : cats) {
        std::string cond =
            "    rule_conditions:\n      - type: logsource\n        product: windows\n"
            "        category: " +
            std::string(cat) + "\n";
        std::string list;
        for (int i : ids) list += (list.empty() ? "" : ", ") + std::to_string(i);
        y += "  - id: sysmon_" + std::string(cat) +
             "\n    type: add_condition\n    conditions:\n"
             "      EventID: [" +
             list + "]\n" + cond;
        y += "  - type: change_logsource\n    product: windows\n    service: sysmon\n" + cond;
    }
    return y;
}

const char* kWindowsAudit = R"(name: windows-audit
priority: 10
transformations:
  - id: audit_4688_unsupported
    type: detection_item_failure
    message: the field is not part of Security event 4688 (process creation)
    rule_conditions:
      - type: logsource
        category: process_creation
        product: windows
    field_name_conditions:
      - type: include_fields
        fields: [OriginalFileName, Hashes, Company, Product, Description, FileVersion,
                 CurrentDirectory, ParentCommandLine, LogonGuid, ProcessGuid,
                 ParentProcessGuid, TerminalSessionId, ParentUser, User, Imphash]
  - id: audit_4688_integrity_values
    type: map_string
    mapping:
      Low: S-1-16-4096
      Medium: S-1-16-8192
      High: S-1-16-12288
      System: S-1-16-16384
    rule_conditions:
      - type: logsource
        category: process_creation
        product: windows
    field_name_conditions:
      - type: include_fields
        fields: [IntegrityLevel]
  - id: audit_4688_fields
    type: field_name_mapping
    mapping:
      Image: NewProcessName
      ParentImage: ParentProcessName
      ProcessId: NewProcessId
      ParentProcessId: ProcessId
      LogonId: SubjectLogonId
      IntegrityLevel: MandatoryLabel
    rule_conditions:
      - type: logsource
        category: process_creation
        product: windows
  - id: audit_4688_event
    type: add_condition
    conditions:
      EventID: 4688
    rule_conditions:
      - type: logsource
        category: process_creation
        product: windows
  - type: change_logsource
    product: windows
    service: security
    rule_conditions:
      - type: logsource
        category: process_creation
        product: windows
)";

std::string winlogbeat_yaml() {
    return "name: winlogbeat\npriority: 20\ntransformations:\n" +
           channel_conditions("Channel", "") +
           R"(  - id: winlogbeat_system_fields
    type: field_name_mapping
    mapping:
      EventID: winlog.event_id
      Channel: winlog.channel
      Provider_Name: winlog.provider_name
      Computer: winlog.computer_name
      ComputerName: winlog.computer_name
    rule_conditions:
      - type: logsource
        product: windows
  - id: winlogbeat_event_data
    type: field_name_prefix
    prefix: winlog.event_data.
    rule_conditions:
      - type: logsource
        product: windows
    field_name_conditions:
      - type: exclude_fields
        mode: re
        fields: ['winlog\.']
)";
}

std::string ecs_windows_yaml() {
    return "name: ecs-windows\npriority: 20\ntransformations:\n" +
           channel_conditions("Channel", "") +
           R"(  - id: ecs_windows_fields
    type: field_name_mapping
    mapping:
      EventID: event.code
      Channel: winlog.channel
      Provider_Name: winlog.provider_name
      Computer: winlog.computer_name
      ComputerName: winlog.computer_name
      Image: process.executable
      CommandLine: process.command_line
      OriginalFileName: process.pe.original_file_name
      CurrentDirectory: process.working_directory
      ProcessId: process.pid
      ProcessGuid: process.entity_id
      Product: process.pe.product
      Company: process.pe.company
      Description: process.pe.description
      FileVersion: process.pe.file_version
      IntegrityLevel: winlog.event_data.IntegrityLevel
      ParentImage: process.parent.executable
      ParentCommandLine: process.parent.command_line
      ParentProcessId: process.parent.pid
      ParentProcessGuid: process.parent.entity_id
      User: user.name
      TargetFilename: file.path
      PipeName: file.name
      DestinationIp: destination.ip
      DestinationPort: destination.port
      DestinationHostname: destination.domain
      SourceIp: source.ip
      SourcePort: source.port
      SourceHostname: source.domain
      Protocol: network.transport
      QueryName: dns.question.name
      TargetObject: registry.path
      Details: registry.data.strings
      ImageLoaded: dll.path
    rule_conditions:
      - type: logsource
        product: windows
  - id: ecs_windows_event_data
    type: field_name_prefix
    prefix: winlog.event_data.
    rule_conditions:
      - type: logsource
        product: windows
    field_name_conditions:
      - type: exclude_fields
        mode: re
        fields: ['winlog\.', 'event\.', 'process\.', 'user\.', 'file\.', 'destination\.',
                 'source\.', 'network\.', 'dns\.', 'registry\.', 'dll\.']
)";
}

std::string splunk_windows_yaml() {
    return "name: splunk-windows\npriority: 20\ntransformations:\n" +
           channel_conditions("source", "WinEventLog:") +
           R"(  - id: splunk_windows_eventcode
    type: field_name_mapping
    mapping:
      EventID: EventCode
    rule_conditions:
      - type: logsource
        product: windows
)";
}

const char* kSplunkCim = R"(name: splunk-cim
priority: 20
transformations:
  - id: cim_process_fields
    type: field_name_mapping
    mapping:
      Image: process_path
      CommandLine: process
      OriginalFileName: original_file_name
      CurrentDirectory: process_current_directory
      ProcessId: process_id
      ProcessGuid: process_guid
      IntegrityLevel: process_integrity_level
      Hashes: process_hash
      ParentImage: parent_process_path
      ParentCommandLine: parent_process
      ParentProcessId: parent_process_id
      ParentProcessGuid: parent_process_guid
      User: user
      Computer: dest
    rule_conditions:
      - type: logsource
        category: process_creation
        product: windows
  - id: cim_network_fields
    type: field_name_mapping
    mapping:
      Image: process_path
      ProcessId: process_id
      DestinationIp: dest_ip
      DestinationPort: dest_port
      DestinationHostname: dest
      SourceIp: src_ip
      SourcePort: src_port
      SourceHostname: src
      Protocol: transport
      User: user
      Initiated: direction
    rule_conditions:
      - type: logsource
        category: network_connection
        product: windows
  - id: cim_unsupported_category
    type: rule_failure
    message: splunk-cim maps only the process_creation and network_connection log sources
    rule_conditions:
      pc:
        type: logsource
        category: process_creation
      nc:
        type: logsource
        category: network_connection
    rule_cond_expr: not pc and not nc
)";

const char* kLogpointWindows = R"(name: logpoint-windows
priority: 20
transformations:
  - id: logpoint_security
    type: add_condition
    conditions:
      event_source: Microsoft-Windows-Security-Auditing
    rule_conditions:
      - type: logsource
        product: windows
        service: security
  - id: logpoint_sysmon
    type: add_condition
    conditions:
      event_source: Microsoft-Windows-Sysmon
    rule_conditions:
      - type: logsource
        product: windows
        service: sysmon
  - id: logpoint_fields
    type: field_name_mapping
    mapping:
      EventID: event_id
      ServiceName: service
    rule_conditions:
      - type: logsource
        product: windows
)";

}  // namespace

const char* builtin_yaml(std::string_view name) {
    static const std::string sysmon = sysmon_yaml();
    static const std::string winlogbeat = winlogbeat_yaml();
    static const std::string ecs = ecs_windows_yaml();
    static const std::string splunk = splunk_windows_yaml();
    if (name == "sysmon") return sysmon.c_str();
    if (name == "windows-audit") return kWindowsAudit;
    if (name == "winlogbeat") return winlogbeat.c_str();
    if (name == "ecs-windows") return ecs.c_str();
    if (name == "splunk-windows") return splunk.c_str();
    if (name == "splunk-cim") return kSplunkCim;
    if (name == "logpoint-windows") return kLogpointWindows;
    return nullptr;
}

}  // namespace pipeline_detail

std::vector<std::string> builtin_pipeline_names() {
    return {"sysmon",         "windows-audit", "winlogbeat",      "ecs-windows",
            "splunk-windows", "splunk-cim",    "logpoint-windows"};
}

}  // namespace sigil
