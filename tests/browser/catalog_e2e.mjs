// tests/browser/catalog_e2e.mjs — end-to-end test of the catalog site in headless Chromium,
// driven over the DevTools protocol (tests/browser/cdp.mjs, no npm package): open the index
// served by `sigil catalog serve`, type "psexec" into the search box, click the PsExec Service
// Installation result, check the rule page's sections and values, and save a screenshot.
// Usage: node catalog_e2e.mjs BASE_URL SCREENSHOT.png   (Node 18 or later, no packages)
import { writeFileSync, existsSync } from "node:fs";
import { openBrowser, sleep } from "./cdp.mjs";

const [base, shot] = process.argv.slice(2);
if (!base || !shot) { console.error("usage: catalog_e2e.mjs BASE_URL SCREENSHOT"); process.exit(2); }
const browser = await openBrowser();
const { send, event, evaluate, until, check, finish } = browser;

let loaded = event("Page.loadEventFired");
await send("Page.navigate", { url: base + "/" });
await loaded;
check(await evaluate("document.title.includes('Detection rules')"), "index page loads");
check(await until("window.SIGIL_RULES && window.SIGIL_RULES.length > 0", "search index"), "search data loaded");

// Type into the search box like a user.
await evaluate("document.getElementById('q').focus()");
await send("Input.insertText", { text: "psexec" });
const count = await until("document.querySelectorAll('#results tbody tr').length", "results appear");
const titles = await evaluate("[...document.querySelectorAll('#results a.rule-link')].map(a => a.textContent)");
check(count >= 5, `search "psexec" lists ${count} rules`);
check(titles.includes("PsExec Service Installation"), "PsExec Service Installation is a result");
check(await evaluate("location.search === '?q=psexec'"), "the query is kept in the URL");

// Click the result.
const box = await evaluate(`(() => { const a = [...document.querySelectorAll('#results a.rule-link')]
  .find(a => a.textContent === 'PsExec Service Installation'); a.scrollIntoView();
  const r = a.getBoundingClientRect(); return {x: r.x + r.width / 2, y: r.y + r.height / 2}; })()`);
loaded = event("Page.loadEventFired");
await send("Page.bringToFront");
await send("Input.dispatchMouseEvent", { type: "mouseMoved", x: box.x, y: box.y });
for (const type of ["mousePressed", "mouseReleased"])
  await send("Input.dispatchMouseEvent", { type, x: box.x, y: box.y, button: "left", buttons: 1, clickCount: 1 });
await Promise.race([loaded, sleep(10000)]);
check(await evaluate("location.pathname.startsWith('/rules/sigma-42c575ea')"), "the rule page opens");
const text = (sel) => evaluate(`(document.querySelector('${sel}') || {}).innerText || ''`);
check((await text("#rule-title")) === "PsExec Service Installation", "rule title");
const attack = await text("#attack");
check(attack.includes("Execution") && attack.includes("T1569.002 System Services: Service Execution"), "ATT&CK section: Execution | T1569.002");
const events = await text("#events");
check(events.includes("Service-Control-Manager") && events.includes("Event ID 7045"), "event coverage: Service-Control-Manager 7045");
const stages = await text("#stages");
check(stages.includes("Stage 1: selection_eid") && stages.includes("Provider_Name: 'Service Control Manager'"), "stages and predicates");
const ind = await text("#indicators");
check(ind.includes("ImagePath") && ind.includes("ends_with") && ind.includes("\\PSEXESVC.exe") && ind.includes("ServiceName"), "indicators");
for (const id of ["exclusions", "search-terms", "neighbors", "triggers", "data-needed", "body", "translations"])
  check(await evaluate(`!!document.getElementById('${id}')`), `section #${id}`);
check((await text("#meta")).includes("S0029 PsExec"), "software S0029 PsExec");

const png = await send("Page.captureScreenshot", { format: "png", captureBeyondViewport: false });
writeFileSync(shot, Buffer.from(png.data, "base64"));
check(existsSync(shot), `screenshot saved to ${shot}`);
await finish(browser.failed ? 1 : 0);
