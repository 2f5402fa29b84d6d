// Power cuts: the life of an update (update(), then the reboot's boot(), then confirm()) is run
// once counting the file-system mutations mpyship_ota makes (N). Then for every n in 1..N, from
// the same starting file system, the n-th mutation and all after it fail (the power is gone);
// the file system left behind is put into a fresh VM ("power on"), which must boot exactly the
// complete old release or the complete new one, and whose next update() must complete.

import {
  appFolder, device, expect, expectEqual, k_root, publish, sameFiles, signingKey, tempDir,
} from "./harness.mjs";
import { randomBytes } from "node:crypto";

// v0 and v1 were installed before (v0 is left in the slot v2 goes to); v1 -> v2: one file
// unchanged (copied locally), two changed (one compressible: its .z twin is fetched), one removed,
// one added (incompressible, fetched raw in several chunks).
function releases() {
  const big = (word) => Array.from({ length: 120 }, (_, i) => `${word} ${i}\n`).join("");
  const v0 = {
    "app.py": 'import util\nVERSION = "0"\nUTIL = util.NAME\n',
    "lib/util.py": 'NAME = "util 2"\n', // already what v2 has: kept in place
    "data/same.txt": "unchanged\n".repeat(50),
    "olddir/gone.py": "X = 0\n", // a folder v2 does not have
  };
  const v1 = {
    "app.py": 'import util\nVERSION = "1"\nUTIL = util.NAME\n',
    "lib/util.py": 'NAME = "util 1"\n',
    "data/same.txt": "unchanged\n".repeat(50),
    "data/big.txt": big("one"),
    "data/old.txt": "only in v1\n",
  };
  const v2 = {
    "app.py": 'import util\nVERSION = "2"\nUTIL = util.NAME\n',
    "lib/util.py": 'NAME = "util 2"\n',
    "data/same.txt": v1["data/same.txt"],
    "data/big.txt": big("two"),
    "data/new.bin": randomBytes(2500),
  };
  return [v0, v1, v2];
}

const filesOf = (out) => Object.fromEntries(out.release.files.map((f) => [f.path, f.sha256]));

// The device at v1 (confirmed, slot b) with v0 in slot a and v2 published: where every run starts.
async function start() {
  const [v0, v1, v2] = releases();
  const pubdir = tempDir("pub");
  publish({ src: appFolder(v0), pubdir, keys: [signingKey], sequence: 1, version: "0", board: "test-board" });
  const dev = await device({ pubdir });
  expectEqual(dev.update(), "ok:updated", "install v0");
  expectEqual(dev.boot().version, "0", "boot v0");
  expect(dev.confirm(), "confirm v0");
  const out1 = publish({ src: appFolder(v1), pubdir, keys: [signingKey], sequence: 2, version: "1", board: "test-board" });
  dev.writeTree(pubdir, "/srv/fleet");
  expectEqual(dev.update(), "ok:updated", "install v1");
  expectEqual(dev.boot(), { slot: "b", version: "1", util: "util 1" }, "boot v1");
  expect(dev.confirm(), "confirm v1");
  const out2 = publish({ src: appFolder(v2), pubdir, keys: [signingKey], sequence: 3, version: "2", board: "test-board" });
  return { pubdir, snapshot: dev.snapshot(k_root), v1: filesOf(out1), v2: filesOf(out2) };
}

// update(), boot(), confirm() under a PowerCut shim; returns {count, log, error}.
async function lifeOfAnUpdate(base, cutAt, fat) {
  const dev = await device({ pubdir: base.pubdir, snapshot: base.snapshot });
  dev.boot();
  dev.run(`cut = device_lib.PowerCut(${cutAt ?? "None"}, fat=${fat ? "True" : "False"})`);
  const r = dev.eval([
    "result = {}",
    "try:",
    "    result['update'] = mpyship_ota.update(transport=T)",
    `    device_lib.forget_app(["app", "util"])`,
    "    result['boot'] = mpyship_ota.boot()",
    "    result['confirm'] = mpyship_ota.confirm()",
    "except Exception as e:",  // OtaError("I/O error ...") from update(), OSError from the others
    "    result['error'] = repr(e)",
    "result['count'] = cut.count",
    "result['log'] = cut.log",
    "cut.restore()",
  ].join("\n"));
  return { ...r, fs: dev.snapshot(k_root) };
}

// Power on with what the cut left; check the release that runs, then finish the update.
async function powerOn(base, fs, n) {
  const dev = await device({ pubdir: base.pubdir, snapshot: fs });
  const booted = dev.boot();
  const where = `cut at ${n}`;
  expect(booted.slot !== null, `${where}: booted the factory app`);
  const running = dev.slotFiles(booted.slot);
  const release = sameFiles(running, base.v1) ? "1" : sameFiles(running, base.v2) ? "2" : null;
  expect(release !== null, `${where}: slot ${booted.slot} is neither complete release: ${JSON.stringify(running)}`);
  expectEqual(booted.version, release, `${where}: the app imported from slot ${booted.slot}`);
  // The next update completes: v1 running -> "updated"; v2 running (pending or confirmed) ->
  // "current".
  const again = dev.update();
  expectEqual(again, release === "1" ? "ok:updated" : "ok:current", `${where}: update() after power-on`);
  const rebooted = dev.boot();
  expectEqual(rebooted.version, "2", `${where}: boot after the second update`);
  dev.confirm();
  expectEqual(dev.status().sequence, 3, `${where}: confirmed sequence`);
  expect(sameFiles(dev.slotFiles(rebooted.slot), base.v2), `${where}: final slot is exactly v2`);
  return release;
}

async function powerCuts(fat) {
  const base = await start();
  const full = await lifeOfAnUpdate(base, null, fat);
  expect(!full.error && full.update === "updated" && full.confirm === true, `uncut run: ${JSON.stringify(full)}`);
  const total = full.count;
  let ok = 0;
  const outcomes = { 1: 0, 2: 0 };
  for (let n = 1; n <= total; n++) {
    const cut = await lifeOfAnUpdate(base, n, fat);
    // (boot() survives a failed write by running the confirmed release, as it would on a
    // read-only file system; what counts is what the cut left on the file system.)
    expect(cut.count >= n, `cut at ${n} (${full.log[n - 1]}): never reached`);
    outcomes[await powerOn(base, cut.fs, n)]++;
    ok++;
  }
  return `${ok} of ${total} cuts recover (old release booted after ${outcomes[1]}, new after ${outcomes[2]}); ` +
    `mutations: ${summarize(full.log)}`;
}

function summarize(log) {
  const counts = {};
  for (const line of log) counts[line.split(" ")[0]] = (counts[line.split(" ")[0]] ?? 0) + 1;
  return Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(", ");
}

export const tests = [
  ["power cut at every mutation (rename replaces atomically, like LittleFS)", () => powerCuts(false)],
  ["power cut at every mutation (rename over = remove + rename, like FAT)", () => powerCuts(true)],
];

