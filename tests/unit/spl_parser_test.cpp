// tests/unit/spl_parser_test.cpp — the SPL and Snowflake SQL parsers: each
// search-language, eval/where and SQL construct, macros, stages, locations,
// and robustness on malformed input.
#include <gtest/gtest.h>

#include <random>

#include "sigil/spl.h"

using namespace sigil;

namespace {

struct Parsed {
    SplQuery q;
    Diagnostics d;
    std::string cond() const { return to_string(q.condition); }
    bool has(const char* code) const {
        for (auto& x : d)
            if (x.code == code) return true;
        return false;
    }
    std::vector<std::string> commands() const {
        std::vector<std::string> c;
        for (auto& s : q.stages) c.push_back(s.command);
        return c;
    }
};

SourceLoc at() {
    SourceLoc l;
    l.file = std::make_shared<const std::string>("test.spl");
    l.line = 1;
    l.col = 1;
    return l;
}

Parsed run_spl(std::string_view text, const SplMacroTable* macros = nullptr) {
    Parsed p;
    SplParseOptions o;
    o.macros = macros;
    p.q = parse_spl(text, at(), o, p.d);
    return p;
}

Parsed run_sql(std::string_view text) {
    Parsed p;
    SplParseOptions o;
    p.q = parse_snowflake_sql(text, at(), o, p.d);
    return p;
}

// A copy: callers pass temporaries (first_pred(run_spl(...))), and a reference
// into one dangles once the full expression ends (found by make test-sanitize).
Pred first_pred(const Parsed& p) {
    std::vector<const Pred*> v;
    collect_preds(p.q.condition, v);
    return v.empty() ? Pred{} : *v[0];
}

size_t pred_count(const ExprPtr& e) {
    std::vector<const Pred*> v;
    collect_preds(e, v);
    return v.size();
}

}  // namespace

// ---------------------------------------------------------------------------
// Search language values
// ---------------------------------------------------------------------------

TEST(SplSearch, FieldValueShapes) {
    EXPECT_EQ(run_spl("Image=cmd.exe").cond(), "Image = \"cmd.exe\"");
    EXPECT_EQ(run_spl("Image=*cmd*").cond(), "Image contains \"cmd\"");
    EXPECT_EQ(run_spl("Image=cmd*").cond(), "Image startswith \"cmd\"");
    EXPECT_EQ(run_spl("Image=*\\\\cmd.exe").cond(), "Image endswith \"\\\\cmd.exe\"");
    EXPECT_EQ(run_spl("Image=c*d.exe").cond(), "Image glob \"c*d.exe\"");
    EXPECT_EQ(run_spl("Image=*").cond(), "Image exists true");
    // only * is a wildcard: ? and \ become escaped literals in the glob
    EXPECT_EQ(run_spl("Image=\"a?b*c\\\\d*e\"").cond(), "Image glob \"a\\\\?b*c\\\\\\\\d*e\"");
    EXPECT_FALSE(first_pred(run_spl("Image=cmd.exe")).cased);
}

TEST(SplSearch, NumbersAndComparisons) {
    const Pred& p = first_pred(run_spl("EventCode=4688"));
    EXPECT_EQ(p.value.kind, ValueKind::Int);
    EXPECT_EQ(p.value.i, 4688);
    EXPECT_EQ(first_pred(run_spl("EventCode=\"4688\"")).value.kind, ValueKind::Int);
    EXPECT_EQ(run_spl("count>5").cond(), "count > 5");
    EXPECT_EQ(run_spl("count<=5.5").cond(), "count <= 5.5");
    EXPECT_EQ(run_spl("count >= 2").cond(), "count >= 2");
    Parsed t = run_spl("name>abc");
    EXPECT_TRUE(t.has("spl.compare.non_numeric"));
    EXPECT_EQ(t.cond(), "true");
}

TEST(SplSearch, NegationAndBooleans) {
    EXPECT_EQ(run_spl("User!=SYSTEM").cond(), "not User = \"SYSTEM\"");
    EXPECT_EQ(run_spl("NOT User=SYSTEM").cond(), "not User = \"SYSTEM\"");
    EXPECT_EQ(run_spl("a=1 b=2").cond(), "a = 1 and b = 2");
    EXPECT_EQ(run_spl("a=1 AND b=2").cond(), "a = 1 and b = 2");
    // OR binds tighter than (implicit) AND in the search language
    EXPECT_EQ(run_spl("a=1 b=2 OR c=3").cond(), "a = 1 and (b = 2 or c = 3)");
    EXPECT_EQ(run_spl("(a=1 b=2) OR c=3").cond(), "a = 1 and b = 2 or c = 3");
    EXPECT_EQ(run_spl("NOT (a=1 OR b=2)").cond(), "not (a = 1 or b = 2)");
    // lower-case or/and/not are search terms
    Parsed p = run_spl("a=1 or b=2");
    EXPECT_EQ(p.cond(), "a = 1 and <keyword> contains \"or\" and b = 2");
}

TEST(SplSearch, InList) {
    EXPECT_EQ(run_spl("process_name IN (cmd.exe, \"powershell.exe\", *.ps1)").cond(),
              "process_name = \"cmd.exe\" or process_name = \"powershell.exe\" or process_name "
              "endswith \".ps1\"");
    EXPECT_EQ(run_spl("NOT x IN (a)").cond(), "not x = \"a\"");
    EXPECT_EQ(run_spl("uri IN (TERM(/a/b.aspx), TERM(/c))").cond(),
              "uri = \"/a/b.aspx\" or uri = \"/c\"");
}

TEST(SplSearch, BareTermsAreKeywordsAndSearchTerms) {
    Parsed p = run_spl("\"<EventID>7045<\" psexesvc *mimikatz* a*b");
    EXPECT_EQ(p.cond(),
              "<keyword> contains \"<EventID>7045<\" and <keyword> contains \"psexesvc\" and "
              "<keyword> contains \"mimikatz\" and <keyword> glob \"*a*b*\"");
    ASSERT_EQ(p.q.search_terms.size(), 4u);
    EXPECT_EQ(p.q.search_terms[0].term, "\"<EventID>7045<\"");
    EXPECT_EQ(p.q.search_terms[0].stage, 1u);
    EXPECT_EQ(p.q.search_terms[1].term, "psexesvc");
    // `*` alone matches everything and is no term
    Parsed star = run_spl("search *");
    EXPECT_EQ(star.cond(), "true");
    EXPECT_TRUE(star.q.search_terms.empty());
}

TEST(SplSearch, TermAndCaseDirectives) {
    Parsed p = run_spl("TERM(EventCode=7045) OR TERM(10.0.0.1)");
    EXPECT_EQ(p.cond(), "EventCode = 7045 or <keyword> contains \"10.0.0.1\"");
    ASSERT_EQ(p.q.search_terms.size(), 2u);
    EXPECT_EQ(p.q.search_terms[0].term, "TERM(EventCode=7045)");
    const Pred& c = first_pred(run_spl("host=CASE(LOCALHOST)"));
    EXPECT_TRUE(c.cased);
    EXPECT_EQ(c.value.s, "LOCALHOST");
    EXPECT_TRUE(first_pred(run_spl("CASE(Error)")).cased);
}

TEST(SplSearch, RawAndTimeModifiers) {
    EXPECT_EQ(run_spl("_raw=*lsass*").cond(), "<keyword> contains \"lsass\"");
    EXPECT_EQ(run_spl("earliest=-24h latest=now index=main").cond(), "index = \"main\"");
}

TEST(SplSearch, BackslashEscapes) {
    // \\ is one backslash, \" a quote; other backslashes stay
    EXPECT_EQ(first_pred(run_spl("path=\"C:\\\\Windows\\\\*\"")).value.s, "C:\\Windows\\");
    EXPECT_EQ(first_pred(run_spl("cmd=\"*say \\\"hi\\\"*\"")).value.s, "say \"hi\"");
    EXPECT_EQ(first_pred(run_spl("path=*\\Temp\\*")).value.s, "\\Temp\\");
}

// ---------------------------------------------------------------------------
// Macros
// ---------------------------------------------------------------------------

static SplMacroTable test_macros() {
    SplMacroTable t;
    SplMacro sysmon;
    sysmon.name = "sysmon";
    sysmon.definition = "sourcetype=XmlWinEventLog:Sysmon OR source=Sysmon";
    t.add(sysmon);
    SplMacro ctime;
    ctime.name = "security_content_ctime";
    ctime.args = {"field"};
    ctime.definition = "convert timeformat=\"%Y\" ctime($field$)";
    t.add(ctime);
    SplMacro psexec;
    psexec.name = "process_psexec";
    psexec.definition =
        "(Processes.process_name=psexec.exe OR Processes.process_name=psexec64.exe)";
    t.add(psexec);
    SplMacro multi;
    multi.name = "lookup_then_search";
    multi.definition = "lookup is_file name OUTPUT flag | search flag=true";
    t.add(multi);
    SplMacro loop;
    loop.name = "loop";
    loop.definition = "`loop` x=1";
    t.add(loop);
    return t;
}

TEST(SplMacros, ExpandsDefinitionsWithArguments) {
    SplMacroTable t = test_macros();
    Parsed p = run_spl("`sysmon` EventCode=1 | `security_content_ctime(firstTime)`", &t);
    EXPECT_EQ(p.cond(),
              "(sourcetype = \"XmlWinEventLog:Sysmon\" or source = \"Sysmon\") and EventCode = 1");
    ASSERT_EQ(p.q.stages.size(), 2u);
    EXPECT_EQ(p.q.stages[1].command, "convert");
    // a stage that is exactly one macro shows the macro as written
    EXPECT_EQ(p.q.stages[1].text, "| `security_content_ctime(firstTime)`");
    EXPECT_EQ(p.q.stages[0].text, "`sysmon` EventCode=1");
    EXPECT_EQ(p.q.expanded_macros.size(), 2u);
}

TEST(SplMacros, MultiStageMacroShowsExpandedStages) {
    SplMacroTable t = test_macros();
    Parsed p = run_spl("a=1 | `lookup_then_search` | stats count", &t);
    EXPECT_EQ(p.commands(), (std::vector<std::string>{"search", "lookup", "search", "stats"}));
    EXPECT_EQ(p.q.stages[2].text, "| search flag=true");
    EXPECT_EQ(p.cond(), "a = 1 and flag = \"true\"");
}

TEST(SplMacros, UndefinedFilterAndDropDm) {
    Parsed p = run_spl("a=1 `get_data` | `drop_dm_object_name(\"Processes\")` | `my_rule_filter`");
    EXPECT_EQ(p.commands(), (std::vector<std::string>{"search", "rename", "search"}));
    EXPECT_EQ(p.cond(), "a = 1");  // the undefined macro is unknown, the filter neutral
    ASSERT_EQ(p.q.macros.size(), 1u);
    EXPECT_EQ(p.q.macros[0], "get_data");
    EXPECT_TRUE(p.has("spl.macro.undefined"));
    EXPECT_EQ(p.q.stages[2].text, "| `my_rule_filter`");
    EXPECT_EQ(p.q.stages[2].expr, nullptr);
}

TEST(SplMacros, RecursionIsBounded) {
    SplMacroTable t = test_macros();
    Parsed p = run_spl("`loop`", &t);
    EXPECT_TRUE(p.has("spl.macro.recursion"));
}

TEST(SplMacros, BackticksInStringsAreData) {
    SplMacroTable t = test_macros();
    Parsed p = run_spl("| eval p=replace(process, \"`sysmon`\", \"\")", &t);
    EXPECT_TRUE(p.q.expanded_macros.empty());
    EXPECT_FALSE(p.has("spl.macro.undefined"));
}

TEST(SplMacros, CommentsAreRemoved) {
    Parsed p = run_spl("a=1 ```a comment | with pipe``` | stats count");
    EXPECT_EQ(p.commands(), (std::vector<std::string>{"search", "stats"}));
    EXPECT_EQ(p.cond(), "a = 1");
}

// ---------------------------------------------------------------------------
// tstats, where, regex
// ---------------------------------------------------------------------------

TEST(SplTstats, DatamodelWhereBy) {
    SplMacroTable t = test_macros();
    Parsed p = run_spl(
        "| tstats summariesonly=t count min(_time) as firstTime from datamodel=Endpoint.Processes "
        "where `process_psexec` Processes.process=*accepteula* by Processes.dest Processes.user",
        &t);
    EXPECT_EQ(p.q.datamodel, "Endpoint.Processes");
    EXPECT_EQ(p.cond(),
              "(Processes.process_name = \"psexec.exe\" or Processes.process_name = "
              "\"psexec64.exe\") and Processes.process contains \"accepteula\"");
    ASSERT_EQ(p.q.stages.size(), 1u);
    EXPECT_EQ(p.q.stages[0].command, "tstats");
    Parsed n = run_spl(
        "| tstats count from datamodel=Network_Traffic where nodename=All_Traffic.Blocked "
        "All_Traffic.dest_port=445 by All_Traffic.src");
    EXPECT_EQ(n.q.nodename, "All_Traffic.Blocked");
    EXPECT_EQ(n.cond(), "All_Traffic.dest_port = 445");
}

TEST(SplWhere, Functions) {
    EXPECT_EQ(run_spl("| where match(process, \"(?i)mimikatz\")").cond(),
              "process regex \"mimikatz\" /i");
    EXPECT_EQ(run_spl("| where like(process, \"%lsass%\")").cond(),
              "process contains \"lsass\" cased");
    EXPECT_EQ(run_spl("| where like(process, \"a_b%\")").cond(), "process glob \"a?b*\" cased");
    EXPECT_EQ(run_spl("| where process LIKE \"%.exe\"").cond(), "process endswith \".exe\" cased");
    EXPECT_EQ(run_spl("| where cidrmatch(\"10.0.0.0/8\", src)").cond(), "src cidr \"10.0.0.0/8\"");
    EXPECT_EQ(run_spl("| where isnull(user)").cond(), "user is null");
    EXPECT_EQ(run_spl("| where isnotnull(user)").cond(), "user exists true");
    EXPECT_EQ(run_spl("| where user=\"SYSTEM\"").cond(), "user = \"SYSTEM\" cased");
    EXPECT_EQ(run_spl("| where lower(user)==\"system\"").cond(), "user = \"system\"");
    EXPECT_EQ(run_spl("| where user!=\"x\"").cond(), "not user = \"x\" cased");
    EXPECT_EQ(run_spl("| where count > 10").cond(), "count > 10");
    EXPECT_EQ(run_spl("| where 10 < count").cond(), "count > 10");
    EXPECT_EQ(run_spl("| where dest_port IN (445, 139)").cond(),
              "dest_port = 445 or dest_port = 139");
    EXPECT_EQ(run_spl("| where in(user, \"a\", \"b\")").cond(),
              "user = \"a\" cased or user = \"b\" cased");
    EXPECT_EQ(run_spl("| where a==b").cond(), "a fieldref \"b\" cased");
    EXPECT_EQ(run_spl("| where searchmatch(\"EventCode=1 foo\")").cond(),
              "EventCode = 1 and <keyword> contains \"foo\"");
    EXPECT_EQ(run_spl("| where true()").cond(), "true");
}

TEST(SplWhere, PrecedenceIsAndOverOr) {
    // in eval expressions AND binds tighter than OR (unlike the search language)
    Parsed p = run_spl("| where a=1 OR b=2 AND c=3");
    ASSERT_EQ(p.q.condition->kind, ExprKind::Or);
    EXPECT_EQ(p.q.condition->kids[1]->kind, ExprKind::And);
    EXPECT_EQ(run_spl("| where NOT a=1 AND b=2").cond(), "not a = 1 and b = 2");
    EXPECT_EQ(run_spl("| where (a=1 OR b=2) AND NOT isnull(c)").cond(),
              "(a = 1 or b = 2) and not c is null");
}

TEST(SplWhere, UnsupportedPartsWidenTheCondition) {
    Parsed p = run_spl("| where len(process) > 100 AND user=\"x\"");
    EXPECT_EQ(p.cond(), "user = \"x\" cased");
    EXPECT_TRUE(p.has("spl.expr.unsupported"));
    Parsed o = run_spl("| where len(process) > 100 OR user=\"x\"");
    EXPECT_EQ(o.cond(), "true");
    EXPECT_EQ(o.q.stages[0].expr, nullptr);
    Parsed c = run_spl("| where coalesce(a, b) = \"x\"");
    EXPECT_TRUE(c.has("spl.expr.unsupported"));
    Parsed t = run_spl("| where _time > relative_time(now(), \"-1d\")");
    EXPECT_EQ(t.cond(), "true");
    EXPECT_FALSE(t.has("spl.expr.unsupported"));  // a time window, not a condition
}

TEST(SplWhere, EvalDefinitionsFlowIntoWhere) {
    EXPECT_EQ(run_spl("| eval p=lower(process) | where p=\"cmd.exe\"").cond(),
              "process = \"cmd.exe\"");
    EXPECT_EQ(run_spl("| eval hit=if(match(cmd, \"-enc\"), 1, 0) | where hit=1").cond(),
              "cmd regex \"-enc\"");
    EXPECT_EQ(run_spl("| eval hit=if(match(cmd, \"-enc\"), 1, 0) | where hit=0").cond(),
              "not cmd regex \"-enc\"");
}

TEST(SplRegex, Command) {
    EXPECT_EQ(run_spl("| regex Service_Name=\"(\\w{4}|execsvc)$\"").cond(),
              "Service_Name regex \"(\\\\w{4}|execsvc)$\"");
    EXPECT_EQ(run_spl("| regex Start!=\"4|disabled\"").cond(), "not Start regex \"4|disabled\"");
    EXPECT_EQ(run_spl("| regex \"(?i)evil\"").cond(), "<keyword> regex \"evil\" /i");
    // \\ in an SPL string is one backslash before the regex sees it
    EXPECT_EQ(first_pred(run_spl("| regex path=\"C:\\\\\\\\Windows\"")).value.s, "C:\\\\Windows");
    Parsed bad = run_spl("| regex x=\"(unclosed\"");
    EXPECT_TRUE(bad.has("spl.regex.invalid"));
    Parsed pcre = run_spl("| regex x=\"(?<!a)b\"");
    EXPECT_TRUE(pcre.has("spl.regex.pcre_only"));
}

// ---------------------------------------------------------------------------
// Stages
// ---------------------------------------------------------------------------

TEST(SplStages, CommandsAndText) {
    Parsed p = run_spl(
        "index=main sourcetype=x | rex field=cmd \"(?<exe>\\w+)\" | stats count by host | "
        "eventstats dc(x) as d by host | streamstats count by host | table a, b | fields - c | "
        "rename a as b | bin _time span=1h | bucket _time span=1d | lookup l k OUTPUT v | "
        "inputlookup t | join type=inner host [search index=other x=1] | dedup host | sort - "
        "count | head 10 | search count>1 | spath input=j | fillnull value=0 | convert "
        "ctime(t) | makemv delim=\",\" v | mvexpand v | transaction host maxspan=5m | "
        "iplocation src | foreach * [eval <<FIELD>>=1] | where count>2");
    EXPECT_EQ(p.commands(),
              (std::vector<std::string>{
                  "search",   "rex",     "stats",  "eventstats", "streamstats", "table",
                  "fields",   "rename",  "bucket", "bucket",     "lookup",      "inputlookup",
                  "join",     "dedup",   "sort",   "head",       "search",      "spath",
                  "fillnull", "convert", "makemv", "mvexpand",   "transaction", "iplocation",
                  "foreach",  "where"}));
    for (auto& d : p.d) EXPECT_NE(d.code, "spl.command.unknown") << d.message;
    EXPECT_EQ(p.q.stages[8].text, "| bin _time span=1h");
    // the join's subsearch condition describes the other events: on the stage only
    ASSERT_NE(p.q.stages[12].expr, nullptr);
    EXPECT_EQ(to_string(p.q.stages[12].expr), "index = \"other\" and x = 1");
    EXPECT_EQ(p.cond(), "index = \"main\" and sourcetype = \"x\" and count > 1 and count > 2");
}

TEST(SplStages, UnknownCommandAndWhitespace) {
    Parsed p = run_spl("a=1\n  |   frobnicate   x=1\n y");
    ASSERT_EQ(p.q.stages.size(), 2u);
    EXPECT_EQ(p.q.stages[1].command, "frobnicate");
    EXPECT_EQ(p.q.stages[1].text, "| frobnicate x=1 y");
    EXPECT_TRUE(p.has("spl.command.unknown"));
}

TEST(SplStages, SubsearchInSearchIsUnknown) {
    Parsed p = run_spl("a=1 NOT [| inputlookup allow | fields user]");
    EXPECT_EQ(p.cond(), "a = 1");
    EXPECT_TRUE(p.has("spl.search.subsearch"));
}

TEST(SplStages, PipesInsideQuotesAndBrackets) {
    Parsed p = run_spl("x=\"a|b\" | regex y=\"c|d\" | join k [search z=1 | head 1]");
    EXPECT_EQ(p.commands(), (std::vector<std::string>{"search", "regex", "join"}));
}

// ---------------------------------------------------------------------------
// Locations
// ---------------------------------------------------------------------------

TEST(SplLocations, PredicatesPointIntoTheText) {
    Parsed p = run_spl("index=x\n| where user=\"a\" AND\n    match(cmd, \"b\")");
    std::vector<const Pred*> v;
    collect_preds(p.q.condition, v);
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(v[0]->loc.line, 1u);
    EXPECT_EQ(v[0]->loc.col, 1u);
    EXPECT_EQ(v[1]->loc.line, 2u);
    EXPECT_EQ(v[1]->loc.col, 9u);
    EXPECT_EQ(v[2]->loc.line, 3u);
    EXPECT_EQ(v[2]->loc.col, 5u);
    EXPECT_EQ(*v[2]->loc.file, "test.spl");
    EXPECT_EQ(p.q.stages[1].loc.line, 2u);
}

TEST(SplLocations, MacroPredicatesPointIntoTheMacro) {
    SplMacroTable t;
    SplMacro m;
    m.name = "m";
    m.definition = "a=1 b=2";
    m.loc.file = std::make_shared<const std::string>("macros/m.yml");
    m.loc.line = 3;
    m.loc.col = 13;
    t.add(m);
    Parsed p = run_spl("x=0 `m`", &t);
    std::vector<const Pred*> v;
    collect_preds(p.q.condition, v);
    ASSERT_EQ(v.size(), 3u);
    EXPECT_EQ(*v[1]->loc.file, "macros/m.yml");
    EXPECT_EQ(v[1]->loc.line, 3u);
    EXPECT_EQ(v[2]->loc.col, 17u);
}

// ---------------------------------------------------------------------------
// Snowflake SQL
// ---------------------------------------------------------------------------

TEST(SplSql, WhereClause) {
    Parsed p = run_sql(
        "select * from crowdstrikefdr_process where event_time > dateadd(hour, -2, sysdate()) and "
        "to_timestamp(date_part(epoch_second, event_time)) < $latest$ and event_platform = 'Win' "
        "and process ilike '%rundll32%' and process_path like 'C:%' and "
        "regexp_like(process, '.*(dmp|lsass).*', 'i') and not (user ilike 'SYSTEM') and "
        "parent IN ('a', 'b') and x is not null and y is null and z RLIKE 'ab+'");
    EXPECT_EQ(p.q.table, "crowdstrikefdr_process");
    ASSERT_EQ(p.q.stages.size(), 1u);
    EXPECT_EQ(p.q.stages[0].command, "select");
    EXPECT_EQ(p.cond(),
              "event_platform = \"Win\" cased and process contains \"rundll32\" and process_path "
              "startswith \"C:\" cased and process regex \"(dmp|lsass)\" /i and not user = "
              "\"SYSTEM\" and (parent = \"a\" cased or parent = \"b\" cased) and x exists true and "
              "y is null and z regex \"^ab+$\"");
    EXPECT_TRUE(p.d.empty()) << p.d[0].message;
}

TEST(SplSql, StringEscapesAndAnchors) {
    // Snowflake: '\\\.' is \ then an escaped dot
    Parsed p = run_sql("select * from t where regexp_like(p, '.*\\\\\\.exe', 'i')");
    EXPECT_EQ(first_pred(p).value.s, "\\.exe$");
    EXPECT_EQ(run_sql("select * from t where regexp_like(p, 'a|b')").cond(),
              "p regex \"^(?:a|b)$\"");
    EXPECT_EQ(first_pred(run_sql("select * from t where p like '%New\\-Rule%'")).value.s,
              "New-Rule");
    Parsed g =
        run_sql("select * from okta whereevent_time > dateadd(hour, -2, sysdate()) and a = 'b'");
    EXPECT_TRUE(g.has("spl.sql.syntax"));
    EXPECT_EQ(g.cond(), "a = \"b\" cased");
}

TEST(SplSql, Malformed) {
    EXPECT_TRUE(run_sql("delete from t").has("spl.sql.syntax"));
    EXPECT_TRUE(run_sql("select * where a=1").has("spl.sql.syntax"));
    EXPECT_TRUE(run_sql("select * from t where (a = 'b'").has("spl.expr.syntax"));
}

// ---------------------------------------------------------------------------
// Robustness
// ---------------------------------------------------------------------------

TEST(SplRobust, MalformedInputGivesDiagnostics) {
    EXPECT_TRUE(run_spl("a=\"unclosed | stats count").has("spl.syntax.unbalanced_quote"));
    EXPECT_TRUE(run_spl("(a=1 b=2").has("spl.syntax.unbalanced_paren"));
    EXPECT_TRUE(run_spl("a=1 | | stats count").has("spl.syntax.empty_stage"));
    EXPECT_TRUE(run_spl("a=1 [search b=2").has("spl.syntax.unbalanced_bracket"));
    EXPECT_TRUE(run_spl("`unclosed a=1").has("spl.syntax.unbalanced_backtick"));
    EXPECT_TRUE(run_spl("| where (a=1").has("spl.expr.syntax"));
    EXPECT_TRUE(run_spl("a=").has("spl.syntax.missing_value"));
    EXPECT_EQ(run_spl("").q.stages.size(), 0u);
    EXPECT_EQ(run_spl("").cond(), "true");
}

TEST(SplRobust, RandomInputNeverCrashes) {
    const char alphabet[] = "ab=!<>()[]|\"'`\\*, \nANDORNOT%_$.-:";
    std::mt19937 rng(12345);
    for (int i = 0; i < 3000; ++i) {
        std::string s;
        size_t n = rng() % 60;
        for (size_t k = 0; k < n; ++k) s += alphabet[rng() % (sizeof alphabet - 1)];
        Parsed p = run_spl(s);
        ASSERT_NE(p.q.condition, nullptr);
        Parsed q = run_spl("| where " + s);
        ASSERT_NE(q.q.condition, nullptr);
        Parsed r = run_sql("select * from t where " + s);
        ASSERT_NE(r.q.condition, nullptr);
    }
    // deep nesting is bounded, not a stack overflow
    std::string deep(100000, '(');
    EXPECT_NE(run_spl(deep).q.condition, nullptr);
    EXPECT_NE(run_spl("| where " + deep).q.condition, nullptr);
    EXPECT_NE(run_sql("select * from t where " + deep).q.condition, nullptr);
    std::string nots;
    for (int i = 0; i < 50000; ++i) nots += "NOT ";
    EXPECT_NE(run_spl(nots + "a").q.condition, nullptr);
    // long chains: n-ary in the tree, bounded in size
    std::string ands, ors, sums;
    for (int i = 0; i < 30000; ++i) ands += "a=1 AND ", ors += "x=1 OR ", sums += "a+";
    Parsed w = run_spl("| where " + ands + "a=2");
    EXPECT_TRUE(w.has("spl.expr.too_large"));
    Parsed o = run_spl(ors + "x=2");
    EXPECT_EQ(pred_count(o.q.condition), 30001u);
    EXPECT_TRUE(run_spl("| where " + sums + "a > 1").has("spl.expr.too_large"));
    std::string ors2;
    for (int i = 0; i < 3000; ++i) ors2 += "x=" + std::to_string(i) + " OR ";
    EXPECT_EQ(pred_count(run_spl("| where " + ors2 + "x=1").q.condition), 3001u);
}

TEST(SplRobust, PredicateCountsOfCombinedStages) {
    Parsed p = run_spl("a=1 | regex b=\"x\" | where c>1 | search d=2");
    EXPECT_EQ(pred_count(p.q.condition), 4u);
}
