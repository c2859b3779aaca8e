// tests/browser/cdp.mjs — headless Chromium driven over the DevTools protocol for the browser
// tests, with no npm package (Debian's Node only): starts Chromium with a fresh profile and the
// flags this closed network needs, a minimal RFC 6455 WebSocket client, and the helpers the
// tests share (send, event, evaluate, until, check, navigate, finish).
import { spawn } from "node:child_process";
import { request } from "node:http";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

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
/* Starts Chromium and attaches to its first page. Returns the helpers; `failed` is true once
 * any check failed. A watchdog ends the process with exit 1 after `timeoutMs`. */
export async function openBrowser({ timeoutMs = 60000, windowSize = "1280,1800" } = {}) {
  const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
  const profile = mkdtempSync(join(tmpdir(), "sigil-chromium-"));
  const chrome = spawn(chromiumPath, [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    `--user-data-dir=${profile}`, "--remote-debugging-port=0", `--window-size=${windowSize}`,
    "about:blank",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  const b = { failed: false };
  b.check = (cond, what) => {
    console.log(`${cond ? "ok  " : "FAIL"} ${what}`);
    if (!cond) b.failed = true;
  };
  let deadline = null;
  b.finish = async (code) => {
    if (deadline) clearTimeout(deadline);
    if (b.ws) b.ws.close();
    chrome.kill("SIGTERM");
    await sleep(300);
    rmSync(profile, { recursive: true, force: true });
    process.exit(code);
  };
  deadline = setTimeout(() => { console.error("FAIL timeout"); b.finish(1); }, timeoutMs);

  // Chromium writes its DevTools port into the profile once it listens.
  let port = null;
  for (let i = 0; i < 200 && !port; i++) {
    const f = join(profile, "DevToolsActivePort");
    if (existsSync(f)) port = readFileSync(f, "utf8").split("\n")[0];
    else await sleep(100);
  }
  if (!port) { console.error("FAIL chromium did not start"); await b.finish(1); }
  let target = null;
  for (let i = 0; i < 50 && !target; i++) {
    const list = await (await fetch(`http://127.0.0.1:${port}/json/list`)).json();
    target = list.find((t) => t.type === "page");
    if (!target) await sleep(100);
  }
  const ws = await connect(target.webSocketDebuggerUrl);
  b.ws = ws;
  let nextId = 0;
  const pending = new Map();
  const waiters = [];
  const listeners = [];
  ws.onmessage = (m) => {
    const msg = JSON.parse(m.data);
    if (msg.id && pending.has(msg.id)) {
      const { resolve, reject } = pending.get(msg.id);
      pending.delete(msg.id);
      msg.error ? reject(new Error(JSON.stringify(msg.error))) : resolve(msg.result);
    } else if (msg.method) {
      for (const l of listeners) if (l.method === msg.method) l.fn(msg.params);
      for (const w of waiters.splice(0)) (w.method === msg.method ? w.resolve : (x) => waiters.push(w))(msg);
    }
  };
  b.send = (method, params = {}) => new Promise((resolve, reject) => {
    const id = ++nextId;
    pending.set(id, { resolve, reject });
    ws.send(JSON.stringify({ id, method, params }));
  });
  // The next event of that method, and a listener for every event of a method.
  b.event = (method) => new Promise((resolve) => waiters.push({ method, resolve }));
  b.on = (method, fn) => listeners.push({ method, fn });
  b.evaluate = async (expr) =>
    (await b.send("Runtime.evaluate", { expression: expr, returnByValue: true })).result.value;
  b.until = async (expr, what) => {
    for (let i = 0; i < 100; i++) {
      const v = await b.evaluate(expr);
      if (v) return v;
      await sleep(100);
    }
    b.check(false, what);
    return null;
  };
  b.navigate = async (url) => {
    const loaded = b.event("Page.loadEventFired");
    await b.send("Page.navigate", { url });
    await Promise.race([loaded, sleep(10000)]);
  };
  await b.send("Page.enable");
  await b.send("Runtime.enable");
  return b;
}
