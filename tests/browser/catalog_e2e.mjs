// tests/browser/catalog_e2e.mjs — end-to-end test of the catalog site in headless Chromium,
// driven over the DevTools protocol (a minimal WebSocket client below, so the test needs no
// npm package and runs on Debian's Node): open the index served by `sigil catalog serve`, type
// "psexec" into the search box, click the PsExec Service Installation result, check the
// rule page's sections and values, and save a screenshot.
// Usage: node catalog_e2e.mjs BASE_URL SCREENSHOT.png   (Node 18 or later, no packages)
import { spawn } from "node:child_process";
import { request } from "node:http";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const [base, shot] = process.argv.slice(2);
if (!base || !shot) { console.error("usage: catalog_e2e.mjs BASE_URL SCREENSHOT"); process.exit(2); }
const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
const profile = mkdtempSync(join(tmpdir(), "sigil-chromium-"));
const chrome = spawn(chromiumPath, [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
  `--user-data-dir=${profile}`, "--remote-debugging-port=0", "--window-size=1280,1800",
  "about:blank",
], { stdio: ["ignore", "ignore", "pipe"] });
let failed = false;

/* A minimal WebSocket client (RFC 6455), enough for the DevTools protocol: the HTTP upgrade,
 * masked text frames out, unmasked frames in (7/16/64-bit lengths, continuation frames
 * joined). Exposes send(text), onmessage({data}) and close(). */
function connect(url) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = request({ host: u.hostname, port: u.port, path: u.pathname, headers: {
      Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Version": "13",
      "Sec-WebSocket-Key": randomBytes(16).toString("base64") } });
    req.on("error", reject);
    req.on("upgrade", (res, socket) => {
      const ws = { onmessage: null };
      let buf = Buffer.alloc(0), parts = [];
      socket.on("data", (chunk) => {
        buf = Buffer.concat([buf, chunk]);
        for (;;) {
          if (buf.length < 2) return;
          const fin = buf[0] & 0x80, op = buf[0] & 0x0f;
          let len = buf[1] & 0x7f, off = 2;
          if (len === 126) { if (buf.length < 4) return; len = buf.readUInt16BE(2); off = 4; }
          else if (len === 127) { if (buf.length < 10) return; len = Number(buf.readBigUInt64BE(2)); off = 10; }
          if (buf.length < off + len) return;
          const payload = buf.subarray(off, off + len);
          buf = buf.subarray(off + len);
          if (op === 8) { socket.end(); return; }
          if (op === 1 || op === 0) {
            parts.push(payload);
            if (fin) { const data = Buffer.concat(parts).toString("utf8"); parts = []; ws.onmessage && ws.onmessage({ data }); }
          }
        }
      });
      ws.send = (text) => {
        const data = Buffer.from(text, "utf8"), mask = randomBytes(4);
        let head;
        if (data.length < 126) head = Buffer.from([0x81, 0x80 | data.length]);
        else if (data.length < 65536) { head = Buffer.alloc(4); head[0] = 0x81; head[1] = 0x80 | 126; head.writeUInt16BE(data.length, 2); }
        else { head = Buffer.alloc(10); head[0] = 0x81; head[1] = 0x80 | 127; head.writeBigUInt64BE(BigInt(data.length), 2); }
        for (let i = 0; i < data.length; i++) data[i] ^= mask[i & 3];
        socket.write(Buffer.concat([head, mask, data]));
      };
      ws.close = () => socket.end();
      resolve(ws);
    });
    req.end();
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function check(cond, what) {
  console.log(`${cond ? "ok  " : "FAIL"} ${what}`);
  if (!cond) failed = true;
}
async function finish(code) {
  chrome.kill("SIGTERM");
  await sleep(300);
  rmSync(profile, { recursive: true, force: true });
  process.exit(code);
}
const deadline = setTimeout(() => { console.error("FAIL timeout"); finish(1); }, 60000);

// Chromium writes its DevTools port into the profile once it listens.
let port = null;
for (let i = 0; i < 200 && !port; i++) {
  const f = join(profile, "DevToolsActivePort");
  if (existsSync(f)) port = readFileSync(f, "utf8").split("\n")[0];
  else await sleep(100);
}
if (!port) { console.error("FAIL chromium did not start"); await finish(1); }
let target = null;
for (let i = 0; i < 50 && !target; i++) {
  const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
  target = list.find((t) => t.type === "page");
  if (!target) await sleep(100);
}
const ws = await connect(target.webSocketDebuggerUrl);
let nextId = 0;
const pending = new Map();
const waiters = [];
ws.onmessage = (m) => {
  const msg = JSON.parse(m.data);
  if (msg.id && pending.has(msg.id)) {
    const { resolve, reject } = pending.get(msg.id);
    pending.delete(msg.id);
    msg.error ? reject(new Error(JSON.stringify(msg.error))) : resolve(msg.result);
  } else if (msg.method) {
    for (const w of waiters.splice(0)) (w.method === msg.method ? w.resolve : (x) => waiters.push(w))(msg);
  }
};
const send = (method, params = {}) => new Promise((resolve, reject) => {
  const id = ++nextId;
  pending.set(id, { resolve, reject });
  ws.send(JSON.stringify({ id, method, params }));
});
const event = (method) => new Promise((resolve) => waiters.push({ method, resolve }));
const evaluate = async (expr) => (await send("Runtime.evaluate", { expression: expr, returnByValue: true })).result.value;
async function until(expr, what) {
  for (let i = 0; i < 100; i++) {
    const v = await evaluate(expr);
    if (v) return v;
    await sleep(100);
  }
  check(false, what);
  return null;
}

await send("Page.enable");
await send("Runtime.enable");
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
clearTimeout(deadline);
ws.close();
await finish(failed ? 1 : 0);
