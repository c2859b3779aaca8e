// convert/powershell.cpp — PowerShell `Get-WinEvent | where {...}` pipelines as
// in the seeds: EventID tests `$_.ID`, every other field is a regex over the
// rendered event message (`$_.message -match "Field.*value"`), the log name
// comes from the rule's log source.
#include "convert/target.h"

namespace sigil {
namespace {

/* The message test is the seeds' convention and is approximate by nature
 * (it looks for the field name followed later by the value anywhere in the
 * message text). What we keep exact: the value part is a correctly escaped
 * regex of the Sigma pattern (the legacy tool did not escape backslashes or
 * other metacharacters), `-match` is case-insensitive and `-cmatch` is used
 * for `cased`, and PowerShell's double-quoted string escapes (backtick before
 * `"`, `$` and backtick) are applied last.
 */
std::string ps_string(const std::string& s) {
    std::string o = "\"";
    for (char c : s) {
        if (c == '"' || c == '$' || c == '`') o += '`';
        o += c;
    }
    return o + "\"";
}

class PowershellTarget : public TextTarget {
  public:
    PowershellTarget() {
        d.and_token = "-and";
        d.or_token = "-or";
        d.not_token = "-not";
        d.parenthesize = true;
        d.not_operand = "({expr})";
        d.query_expression = "{query}";
    }
    std::string name() const override { return "powershell"; }

  protected:
    bool id_field(const Pred& p) const { return p.field == "EventID" || p.field == "EventCode"; }

    bool message_test(const Pred& p, const std::string& value_re, std::string& out) const {
        out = std::string("$_.message ") + (p.cased ? "-cmatch " : "-match ") +
              ps_string(regex_escape(p.field) + ".*" + value_re);
        return true;
    }

    bool render_pred(const Pred& p, bool negated, Ctx& c, std::string& out,
                     ConvertError& err) const override {
        if (p.placeholders || p.time_part != TimePart::None ||
            (c.pr && c.pr->query_expressions.count(&p)))
            return TextTarget::render_pred(p, negated, c, out, err);
        if (p.is_keyword()) {
            if (p.op == Op::Regex) {
                std::string re;
                bool ci;
                if (!regex_text(p, re, err, ci)) return false;
                out = "$_.message -match " + ps_string(re);
                return true;
            }
            std::string re = pattern_to_regex(pattern_of(p), p.op == Op::Glob);
            out = std::string("$_.message ") + (p.cased ? "-cmatch " : "-match ") + ps_string(re);
            return true;
        }
        if (id_field(p) && p.op == Op::Eq && p.value.is_number()) {
            out = "$_.ID -eq " + ps_string(p.value.text());
            return true;
        }
        if (id_field(p) && p.value.is_number() &&
            (p.op == Op::Lt || p.op == Op::Lte || p.op == Op::Gt || p.op == Op::Gte)) {
            const char* o = p.op == Op::Lt    ? "-lt"
                            : p.op == Op::Lte ? "-le"
                            : p.op == Op::Gt  ? "-gt"
                                              : "-ge";
            out = std::string("$_.ID ") + o + " " + p.value.text();
            return true;
        }
        switch (p.op) {
            case Op::Eq:
                if (p.value.kind == ValueKind::Null || p.value.kind == ValueKind::Bool) break;
                [[fallthrough]];
            case Op::Contains:
            case Op::StartsWith:
            case Op::EndsWith:
            case Op::Glob: {
                Pattern pat = pattern_of(p);
                std::string re;
                for (auto& part : pat)
                    re += part.kind == PatternPart::Lit   ? regex_escape(part.text)
                          : part.kind == PatternPart::Any ? ".*"
                                                          : ".";
                return message_test(p, re, out);
            }
            case Op::Regex: {
                std::string re;
                bool ci;
                if (!regex_text(p, re, err, ci)) return false;
                if (re.find_first_of("^$") != std::string::npos) {
                    err = unsupported(name(), "anchored regular expressions over the message text");
                    return false;
                }
                return message_test(p, "(?:" + re + ")", out);
            }
            default:
                break;
        }
        err = unsupported(name(), std::string(op_name(p.op)) +
                                      (p.value.kind == ValueKind::Null ? " null" : "") +
                                      " tests on event fields");
        return false;
    }

    std::string frame(const ProcessedRule& pr, const std::string& query,
                      const std::vector<std::string>&) const override {
        const LogSource& ls = pr.rule.logsource;
        std::string log;
        if (ls.service == "security")
            log = "Security";
        else if (ls.service == "system")
            log = "System";
        else if (ls.service == "application")
            log = "Application";
        else if (ls.service == "sysmon")
            log = "Microsoft-Windows-Sysmon/Operational";
        else if (ls.service == "powershell")
            log = "Microsoft-Windows-PowerShell/Operational";
        else if (ls.service == "powershell-classic")
            log = "Windows PowerShell";
        std::string cmd = "Get-WinEvent";
        if (!log.empty())
            cmd += " -LogName " + (log.find(' ') != std::string::npos ? "'" + log + "'" : log);
        return cmd + " | where {(" + query +
               ") } | select TimeCreated,Id,RecordId,ProcessId,MachineName,Message";
    }
};

}  // namespace

std::unique_ptr<Target> make_powershell_target() {
    return std::make_unique<PowershellTarget>();
}

}  // namespace sigil
