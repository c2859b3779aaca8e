// tests/browser/catalog_xss.mjs — the catalog site must run none of the script that rule text
// carries. Against `sigil catalog serve` of hostile rules (tests/cli/catalog_xss.sh), in headless
// Chromium: the index with a search typed in (results are rendered by the page's script), every
// rule page the search lists and the technique pages they link, the search API and a 404 with
// script in the URL. Every payload sets window.__xss; a page passes when, after its load and a
// pause for event handlers, window.__xss is unset, no injected <script>, on* attribute or
// javascript: link is in the DOM, and the hostile text is shown as text.
// Usage: node catalog_xss.mjs BASE_URL
import { openBrowser, sleep } from "./cdp.mjs";

const [base] = process.argv.slice(2);
if (!base) { console.error("usage: catalog_xss.mjs BASE_URL"); process.exit(2); }
const browser = await openBrowser({ timeoutMs: 120000 });
const { send, evaluate, until, check, navigate, finish } = browser;
let dialogs = 0;
browser.on("Page.javascriptDialogOpening", () => {
  dialogs++;
  send("Page.handleJavaScriptDialog", { accept: true });
});

const injected = `(() => {
  const bad = [];
  if (typeof window.__xss !== "undefined") bad.push("window.__xss=" + window.__xss);
  for (const s of document.scripts)
    if (/^\\s*window\\.(parent\\.)?__xss/.test(s.textContent)) bad.push("script element");
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      if (/^on/i.test(a.name) && a.value.includes("__xss")) bad.push(el.tagName + " " + a.name);
      if (/^(href|src|action|formaction)$/i.test(a.name) && /^\\s*javascript:/i.test(a.value))
        bad.push(el.tagName + " " + a.name + "=javascript:");
    }
  }
  for (const f of document.querySelectorAll("iframe,object,embed")) bad.push(f.tagName);
  return bad.join("; ");
})()`;

async function assertClean(what) {
  await sleep(300);  // give onerror/onload handlers their chance
  const bad = await evaluate(injected);
  check(bad === "", `${what}: no script from rule text${bad ? " (" + bad + ")" : ""}`);
}

// The index, then a search that lists the hostile rules.
await navigate(base + "/");
await until("window.SIGIL_RULES && window.SIGIL_RULES.length > 0", "search index");
await assertClean("index");
await evaluate("document.getElementById('q').focus()");
await send("Input.insertText", { text: "xss" });
const n = await until("document.querySelectorAll('#results a.rule-link').length", "search results");
check(n >= 2, `search "xss" lists ${n} hostile rules`);
const listed = await evaluate("[...document.querySelectorAll('#results a.rule-link')].map(a => a.textContent)");
check(listed.some((t) => t.includes("<script>window.__xss=1</script>")), "a result title shows the <script> text as text");
await assertClean("index with search results");

const links = await evaluate("[...document.querySelectorAll('#results a.rule-link')].map(a => a.href)");
const techniques = new Set();
for (const url of links) {
  await navigate(url);
  const title = await evaluate("(document.querySelector('#rule-title') || {}).innerText || ''");
  check(title.includes("__xss"), `rule page ${new URL(url).pathname}: title shown as text`);
  await assertClean(`rule page ${new URL(url).pathname}`);
  for (const t of await evaluate("[...document.querySelectorAll('a[href*=\"techniques/\"]')].map(a => a.href)"))
    techniques.add(t);
}
check(techniques.size > 0, `rule pages link ${techniques.size} technique pages`);
for (const url of [...techniques].slice(0, 5)) {
  await navigate(url);
  await assertClean(`technique page ${new URL(url).pathname}`);
}

// The search API and the 404 page with script in the request.
await navigate(base + "/api/search?q=" + encodeURIComponent("<script>window.__xss=20</script>"));
await assertClean("/api/search with script in q");
await navigate(base + "/no/such/%3Cscript%3Ewindow.__xss=21%3C%2Fscript%3E");
await assertClean("404 with script in the path");

check(dialogs === 0, `no dialog opened (${dialogs})`);
await finish(browser.failed ? 1 : 0);
