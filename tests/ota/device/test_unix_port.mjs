// The whole OTA path on the real MicroPython unix port, over real sockets: `mpyship init --ota`, `build`,
// `publish` and `serve` on 127.0.0.1; the board is a folder holding the first build (as deploy would leave
// it) and each boot is a new `micropython main.py` process in it. The updater runs compiled by mpyship and
// talks HTTP to `mpyship serve` with its own client.
//
// Checks: update, boot and confirm of two releases (slot a, then b); a release that never confirms is
// rolled back after MAX_BOOTS starts; power cuts (SIGKILL of the process at growing delays) during the
// download of a 1 MiB release, each followed by a boot that must run a whole release, until an update
// gets through, which resumes with byte ranges; the smallest heap (-X heapsize) an update succeeds in;
// Ed25519 verify time.
//
// Runs when MPYSHIP_BINARY names mpyship and a unix-port binary is found: MPYSHIP_MICROPYTHON_UNIX, or
// $MPYSHIP_MICROPYTHON_SRC/ports/unix/build-standard/micropython (build it there with
// `make -C ports/unix MICROPY_PY_BTREE=0 MICROPY_PY_SSL=0 FROZEN_MANIFEST=`). Otherwise each test says
// why it did not run ("skipped: ...").
import { spawn, spawnSync } from "node:child_process";
import crypto from "node:crypto";
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, expectEqual, tempDir } from "./harness.mjs";

const binary = process.env.MPYSHIP_BINARY;

function unixBinary() {
  if (process.env.MPYSHIP_MICROPYTHON_UNIX) return process.env.MPYSHIP_MICROPYTHON_UNIX;
  const src = process.env.MPYSHIP_MICROPYTHON_SRC;
  const built = src ? join(src, "ports/unix/build-standard/micropython") : "";
  return built && existsSync(built) ? built : null;
}

function skipReason() {
  if (!binary) return "skipped: MPYSHIP_BINARY is not set";
  if (!unixBinary())
    return "skipped: no unix-port binary (set MPYSHIP_MICROPYTHON_UNIX, or MPYSHIP_MICROPYTHON_SRC with ports/unix built)";
  return null;
}

function mpyship(...args) {
  const r = spawnSync(binary, args, { encoding: "utf8" });
  expect(r.status === 0, `mpyship ${args.join(" ")}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

// `mpyship serve DIR --port 0`; resolves once it listens, with the port and its request log.
function serve(dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ["serve", dir, "--port", "0"]);
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /127\.0\.0\.1:(\d+)\//.exec(out);
      if (m && !child.port) {
        child.port = Number(m[1]);
        resolve({ port: child.port, log: () => out, stop: () => child.kill("SIGTERM") });
      }
    });
    child.on("exit", (code) => reject(new Error(`mpyship serve ended (${code}): ${out}`)));
  });
}

// One process of the unix port in the board's folder; lib/ is on sys.path as on a board.
function board(dir, args, { heap = null, timeoutMs = 60000 } = {}) {
  const argv = heap ? ["-X", `heapsize=${heap}`, ...args] : args;
  return spawnSync(unixBinary(), argv, { cwd: dir, encoding: "utf8", env: { ...process.env, MICROPYPATH: "lib" }, timeout: timeoutMs });
}

const k_update = [
  "import sys, time, mpyship_ota",
  "t = time.ticks_ms()",
  "try:",
  "    r = mpyship_ota.update()",
  "except mpyship_ota.OtaError as e:",
  "    r = 'error: %s' % e",
  "print('RESULT', r, time.ticks_diff(time.ticks_ms(), t))",
].join("\n");

function update(dir, options) {
  const r = board(dir, ["-c", k_update], options);
  const m = /RESULT (.*) (\d+)\n/.exec(r.stdout);
  return m ? { result: m[1], ms: Number(m[2]), out: r.stdout + r.stderr } : { result: `no result (${r.status}): ${r.stdout}${r.stderr}`, ms: 0 };
}

// A boot: main.py as `init --ota` wrote it, with an app that prints what runs.
function boot(dir) {
  const r = board(dir, ["main.py"]);
  return { status: r.status, out: r.stdout + r.stderr };
}

function writeApp(project, release, { confirm = true, asset = null } = {}) {
  writeFileSync(
    join(project, "src", "app.py"),
    [
      "import mpyship_ota",
      "import helper",
      `RELEASE = ${release}`,
      "def main():",
      "    s = mpyship_ota.status()",
      "    print('RUNNING', RELEASE, helper.CHECK, s['running'], s['active'])",
      confirm ? "    mpyship_ota.confirm()" : "    raise RuntimeError('release %d is broken' % RELEASE)",
      "",
    ].join("\n"),
  );
  writeFileSync(join(project, "src", "helper.py"), `CHECK = "helper of ${release}"\n`);
  if (asset) writeFileSync(join(project, "src", "asset.bin"), asset);
}

async function setUp() {
  const work = tempDir("unix");
  const pubdir = join(work, "pub");
  mkdirSync(pubdir);
  const server = await serve(pubdir);
  const project = join(work, "project");
  mpyship("init", project, "--ota", "--ota-url", `http://127.0.0.1:${server.port}`);
  writeApp(project, 1);
  mpyship("build", project);
  const dir = join(work, "board");
  cpSync(join(project, "build", "mpy"), dir, { recursive: true });
  const release = (n, options) => {
    writeApp(project, n, options);
    mpyship("publish", project, "--key", join(project, "mpyship-ota.key"), "--out", pubdir);
  };
  return { work, pubdir, server, project, dir, release };
}

function running(out) {
  const m = /RUNNING (\d+) (.*) (\S+) (\S+)\n/.exec(out);
  return m ? { release: Number(m[1]), helper: m[2], running: m[3], active: m[4] } : { none: out };
}

async function releasesAndRollback() {
  const skip = skipReason();
  if (skip) return skip;
  const s = await setUp();
  try {
    expectEqual(running(boot(s.dir).out), { release: 1, helper: "helper of 1", running: "None", active: "None" }, "first boot: the deployed app");
    s.release(2);
    const first = update(s.dir);
    expectEqual(first.result, "updated", `update to 2: ${first.out}`);
    expectEqual(running(boot(s.dir).out), { release: 2, helper: "helper of 2", running: "a", active: "None" }, "release 2 on trial in slot a");
    expectEqual(running(boot(s.dir).out), { release: 2, helper: "helper of 2", running: "a", active: "a" }, "release 2 confirmed");
    expectEqual(update(s.dir).result, "current", "nothing newer");

    s.release(3);
    expectEqual(update(s.dir).result, "updated", "update to 3");
    expectEqual(running(boot(s.dir).out).release, 3, "release 3 runs");
    expectEqual(running(boot(s.dir).out), { release: 3, helper: "helper of 3", running: "b", active: "b" }, "release 3 confirmed in slot b");

    // Release 4 crashes before confirm(): three starts, then release 3 again, and 4 is not fetched again.
    s.release(4, { confirm: false });
    expectEqual(update(s.dir).result, "updated", "update to 4");
    for (let i = 1; i <= 3; i++) {
      const b = boot(s.dir);
      expect(b.status !== 0 && b.out.includes("release 4 is broken"), `start ${i} of release 4 fails: ${b.out}`);
    }
    expectEqual(running(boot(s.dir).out), { release: 3, helper: "helper of 3", running: "b", active: "b" }, "rolled back to 3");
    const again = update(s.dir).result;
    expect(again.startsWith("error:") && again.includes("rolled back"), `the dropped release is not installed again: ${again}`);
    await new Promise((resolve) => setTimeout(resolve, 200)); // the server's log arrives while node waits
    const requests = s.server.log().split("\n").filter((l) => l.startsWith("GET ")).length;
    return `4 releases over http://127.0.0.1:${s.server.port}/, ${requests} requests, rollback after 3 failed starts`;
  } finally {
    s.server.stop();
  }
}

// SHA-256 of every file under `dir`, by relative path (dot files left out).
function hashes(dir, rel = "") {
  const out = {};
  for (const name of readdirSync(join(dir, rel)).sort()) {
    if (name.startsWith(".")) continue;
    const path = join(dir, rel, name);
    if (statSync(path).isDirectory()) Object.assign(out, hashes(dir, join(rel, name)));
    else out[join(rel, name)] = crypto.createHash("sha256").update(readFileSync(path)).digest("hex");
  }
  return out;
}

function killedAfter(dir, delayMs) {
  return new Promise((resolve) => {
    const child = spawn(unixBinary(), ["-c", k_update], { cwd: dir, env: { ...process.env, MICROPYPATH: "lib" } });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), delayMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ killed: signal === "SIGKILL", out });
    });
  });
}

async function powerCuts() {
  const skip = skipReason();
  if (skip) return skip;
  const s = await setUp();
  try {
    s.release(2);
    expectEqual(update(s.dir).result, "updated", "update to 2");
    expectEqual(running(boot(s.dir).out).running, "a", "2 on trial");
    expectEqual(running(boot(s.dir).out).active, "a", "2 confirmed");
    // 1 MiB that does not compress, so the download takes a while and can be cut in the middle.
    s.release(3, { asset: crypto.randomBytes(1024 * 1024) });
    const expected = hashes(join(s.project, "build", "mpy"));
    let cuts = 0;
    let delay = 2;
    for (;;) {
      const r = await killedAfter(s.dir, delay);
      if (!r.killed) {
        expect(r.out.includes("RESULT updated"), `the update that got through: ${r.out}`);
        break;
      }
      cuts++;
      // After each cut the board starts whole: the confirmed release 2, never a mix.
      expectEqual(running(boot(s.dir).out), { release: 2, helper: "helper of 2", running: "a", active: "a" }, `boot after cut ${cuts} at ${delay} ms`);
      delay += 2;
      expect(cuts < 400, "the update never got through");
    }
    expectEqual(running(boot(s.dir).out), { release: 3, helper: "helper of 3", running: "b", active: "a" }, "release 3 after the cuts");
    const slot = hashes(join(s.dir, "ota", "b"));
    expectEqual(slot, expected, "slot b holds exactly the published build");
    const ranged = s.server.log().split("\n").filter((l) => / 206 /.test(l)).length;
    return `${cuts} power cuts (SIGKILL at 2 ms .. ${delay} ms), then a whole release 3; ${ranged} ranged (206) requests resumed downloads`;
  } finally {
    s.server.stop();
  }
}

function verifyScript(runs) {
  return [
    "import time",
    "from mpyship_ota import _ed25519",
    "from binascii import unhexlify",
    // RFC 8032 test 1: empty message.
    "PK = unhexlify('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a')",
    "SIG = unhexlify('e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b')",
    "t = time.ticks_us()",
    `ok = all(_ed25519.verify(PK, b'', SIG) for _ in range(${runs}))`,
    `print('VERIFY', ok, time.ticks_diff(time.ticks_us(), t) // ${runs})`,
  ].join("\n");
}

async function measurements() {
  const skip = skipReason();
  if (skip) return skip;
  const s = await setUp();
  try {
    // A release of 40 modules, each with some code, like a real app.
    for (let i = 0; i < 40; i++)
      writeFileSync(join(s.project, "src", `mod${i}.py`), `def f${i}(x):\n    return [x * k for k in range(${i + 3})]\nNAME = "module ${i}"\n`.repeat(8));
    s.release(2);
    // The smallest heap (64-bit unix port: objects are twice a 32-bit board's) that an update fits in.
    const heaps = [48, 64, 96, 128, 192, 256];
    let fits = null;
    let ms = 0;
    for (const kib of heaps) {
      const fresh = join(s.work, `board-${kib}`);
      cpSync(s.dir, fresh, { recursive: true });
      const r = update(fresh, { heap: `${kib}K` });
      if (r.result === "updated") {
        fits = kib;
        ms = r.ms;
        break;
      }
      expect(/MemoryError|memory/.test(r.result + (r.out ?? "")), `update at ${kib} KiB failed for another reason: ${r.result}`);
    }
    expect(fits !== null, "no heap up to 256 KiB was enough");
    const verify = board(s.dir, ["-c", verifyScript(10)]);
    const m = /VERIFY True (\d+)/.exec(verify.stdout);
    expect(m, `verify on the unix port: ${verify.stdout}${verify.stderr}`);
    // The smallest heap the signature check runs in, the compiled updater's modules loaded.
    let verifyHeap = null;
    for (const kib of [16, 24, 32, 48, 64, 96]) {
      const r = board(s.dir, ["-X", `heapsize=${kib}K`, "-c", verifyScript(1)]);
      if (/VERIFY True/.test(r.stdout)) {
        verifyHeap = kib;
        break;
      }
    }
    expect(verifyHeap !== null, "Ed25519 verify did not run in 96 KiB");
    return `update of a 52-file release fits in a ${fits} KiB heap (not in ${heaps[heaps.indexOf(fits) - 1] ?? "-"} KiB), ${ms} ms; Ed25519 verify ${(Number(m[1]) / 1000).toFixed(1)} ms, runs in a ${verifyHeap} KiB heap`;
  } finally {
    s.server.stop();
  }
}

export const tests = [
  ["unix port: releases and rollback over HTTP", releasesAndRollback],
  ["unix port: power cuts during a download", powerCuts],
  ["unix port: heap and verify time", measurements],
];
