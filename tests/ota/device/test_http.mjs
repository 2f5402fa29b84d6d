// The built-in HTTP/1.0 transport (mpyship_ota/_http.py) against a real HTTP server. The
// WebAssembly VM has no socket module, so this one test runs the package under CPython (python3),
// which has the same socket API, against a node HTTP server on 127.0.0.1: a full update(), then
// the transport alone with Range (honoured and ignored), a 404 and a missing Content-Length.
// Without python3 on the machine the test says so and passes.
import { spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import { join, normalize } from "node:path";
import { appFiles, appFolder, deviceConfig, expect, expectEqual, publish, signingKey, tempDir } from "./harness.mjs";
import { configSource, packageDir } from "./vm.mjs";

// Serves `root` under /fleet/; honours "Range: bytes=N-" unless told not to.
function serve(root, options) {
  const log = [];
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent(req.url.replace(/^\/fleet\//, ""));
    const path = normalize(join(root, rel));
    log.push([req.httpVersion, req.url, req.headers.range ?? null]);
    if (!req.url.startsWith("/fleet/") || !path.startsWith(root) || !existsSync(path) || statSync(path).isDirectory()) {
      res.writeHead(404).end("not found");
      return;
    }
    const bytes = readFileSync(path);
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
    if (range && options.ranges) {
      const start = Number(range[1]);
      res.writeHead(206, { "Content-Length": bytes.length - start, "Content-Range": `bytes ${start}-${bytes.length - 1}/${bytes.length}` });
      res.end(bytes.subarray(start));
    } else if (options.noLength) {
      res.useChunkedEncodingByDefault = false; // HTTP/1.0 client: body until close
      res.writeHead(200, { Connection: "close" });
      res.end(bytes);
    } else {
      res.writeHead(200, { "Content-Length": bytes.length });
      res.end(bytes);
    }
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve({ server, log, port: server.address().port })));
}

function python(script, cwd) {
  return new Promise((resolve) => {
    const child = spawn("python3", ["-c", script], { cwd });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code, out, err }));
  });
}

const k_script = `
import json, os, sys
sys.path.insert(0, os.getcwd())
import mpyship_ota
from mpyship_ota import _http
base = mpyship_ota._base.settings().URL
out = {}
out["update"] = mpyship_ota.update()
out["boot"] = mpyship_ota.boot()
import app
out["version"] = app.VERSION
out["confirm"] = mpyship_ota.confirm()
out["again"] = mpyship_ota.update()
t = _http.Transport(timeout=5)
whole, total = t.get(base + "/stable/manifest.json")
data = b""
while True:
    chunk = whole.read(300)
    if not chunk:
        break
    data += chunk
whole.close()
tail, total2 = t.get(base + "/stable/manifest.json", 100)
rest = b""
while True:
    chunk = tail.read(64)
    if not chunk:
        break
    rest += chunk
tail.close()
out["whole"] = [len(data), total]
out["tail_ok"] = rest == data[100:] and total2 == total
try:
    t.get(base + "/nothing/here")
    out["missing"] = "no error"
except mpyship_ota.OtaError as e:
    out["missing"] = e.reason
print(json.dumps(out))
`;

async function runCase(options) {
  const pubdir = tempDir("http-pub");
  publish({ src: appFolder(appFiles("7")), pubdir, keys: [signingKey], sequence: 1, version: "7", board: "test-board" });
  const { server, log, port } = await serve(pubdir, options);
  try {
    const work = tempDir("http-dev");
    cpSync(packageDir, join(work, "mpyship_ota"), { recursive: true });
    mkdirSync(join(work, "root"));
    const config = deviceConfig({ URL: `http://127.0.0.1:${port}/fleet`, ROOT: join(work, "root"), MPY_ABI: null });
    writeFileSync(join(work, "mpyship_ota", "_config.py"), configSource(config));
    const r = await python(k_script, work);
    expect(r.code === 0, `python3 failed: ${r.err}`);
    const out = JSON.parse(r.out.trim().split("\n").pop());
    expectEqual(out.update, "updated", "update() over HTTP");
    expectEqual(out.boot, "a", "boot()");
    expectEqual(out.version, "7", "the app from the slot");
    expectEqual(out.again, "current", "update() again");
    expect(out.tail_ok, "a request from byte 100 returned the rest of the file and its full length");
    expectEqual(out.missing, `HTTP 404 for http://127.0.0.1:${port}/fleet/nothing/here`, "a missing file");
    expect(log.every(([version]) => version === "1.0"), "requests are HTTP/1.0");
    const ranged = log.filter(([, , range]) => range);
    expectEqual(ranged.map(([, , range]) => range), ["bytes=100-"], "Range headers sent");
    return `${log.length} requests, manifest ${out.whole[0]} B`;
  } finally {
    server.close();
  }
}

async function httpTransport() {
  if (spawnSync("python3", ["--version"]).status !== 0) return "skipped: no python3 on this machine";
  const withRanges = await runCase({ ranges: true });
  const withoutRanges = await runCase({ ranges: false });
  const withoutLength = await runCase({ ranges: false, noLength: true });
  return `CPython + node server: Range honoured (${withRanges}), Range ignored (${withoutRanges}), no Content-Length (${withoutLength})`;
}

export const tests = [["http: the HTTP/1.0 transport against a real server (CPython)", httpTransport]];
