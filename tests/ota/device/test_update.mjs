// update(), boot(), confirm() and status() end to end in the VM, from trees the publisher wrote:
// the happy path, every refusal (with the device left as it was), rollback, resume.
import { mkdirSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import zlib from "node:zlib";
import * as fixture from "./fixture_publish.mjs";
import { diffSnapshots } from "./vm.mjs";
import {
  appFiles, appFolder, device, expect, expectEqual, k_root, publish, sameFiles, signingKey, tempDir,
} from "./harness.mjs";

const k_base_sequence = 5; // the confirmed release of the devices the refusal tests start from

function publishApp(version, sequence, options = {}, extra = {}) {
  const pubdir = options.pubdir ?? tempDir("pub");
  const out = publish({ src: appFolder(appFiles(version, extra)), pubdir, keys: [signingKey], sequence, version, board: "test-board", ...options });
  return { pubdir, ...out };
}

// A device that installed and confirmed `version` (sequence k_base_sequence) from the factory
// state; returns its /flash snapshot.
let baseSnapshot = null;
async function baseDevice() {
  if (!baseSnapshot) {
    const { pubdir } = publishApp("1", k_base_sequence);
    const dev = await device({ pubdir });
    expectEqual(dev.update(), "ok:updated", "installing the base release");
    expectEqual(dev.boot().version, "1", "booting the base release");
    expect(dev.confirm() === true, "confirming the base release");
    baseSnapshot = dev.snapshot(k_root);
  }
  return baseSnapshot;
}

async function endToEnd() {
  const v1 = publishApp("1", 1);
  const dev = await device({ pubdir: v1.pubdir });
  // First boot: no state, the factory app in the working folder.
  expectEqual(dev.boot(), { slot: null, version: "factory", util: "factory util" }, "first boot");
  expectEqual(dev.status(), { active: null, sequence: 0, version: null, pending: null, pending_sequence: null, boots: 0, running: null }, "first status");
  expectEqual(dev.update(), "ok:updated", "update to v1");
  expect(dev.confirm() === false, "confirm() before rebooting into the update must not confirm it");
  expectEqual(dev.update(), "ok:updated", "update again before rebooting (already staged)");
  expectEqual(dev.boot(), { slot: "a", version: "1", util: "util for 1" }, "boot into v1");
  expect(dev.confirm() === true, "confirm v1");
  expect(dev.confirm() === false, "confirm is idempotent");
  expect(sameFiles(dev.slotFiles("a"), dev.publishedFiles()), "slot a holds exactly v1");
  // v2 into the same published tree.
  publishApp("2", 2, { pubdir: v1.pubdir });
  dev.writeTree(v1.pubdir, "/srv/fleet");
  expectEqual(dev.update(), "ok:updated", "update to v2");
  expectEqual(dev.status(), { active: "a", sequence: 1, version: "1", pending: "b", pending_sequence: 2, boots: 0, running: "a" }, "status with v2 staged");
  expectEqual(dev.boot(), { slot: "b", version: "2", util: "util for 2" }, "reboot into v2");
  expectEqual(dev.status().boots, 1, "the boot attempt is counted");
  expectEqual(dev.update(), "ok:current", "update() while running the unconfirmed v2");
  expect(dev.confirm() === true, "confirm v2");
  expectEqual(dev.status(), { active: "b", sequence: 2, version: "2", pending: null, pending_sequence: null, boots: 0, running: "b" }, "status after confirm");
  expect(sameFiles(dev.slotFiles("b"), dev.publishedFiles()), "slot b holds exactly v2");
  expectEqual(dev.update(), "ok:current", "update() again");
  expectEqual(dev.boot(), { slot: "b", version: "2", util: "util for 2" }, "reboot stays on v2");
  return "factory -> v1 -> v2, confirm, status, current";
}

// --- refusals -------------------------------------------------------------------------------

function tamperManifest(pubdir, edit) {
  const path = join(pubdir, "stable", "manifest.json");
  writeFileSync(path, edit(readFileSync(path, "utf8")));
}

// A manifest written by hand (for what the publisher will not produce).
function handManifest(pubdir, release, keys = [signingKey]) {
  writeFileSync(join(pubdir, "stable", "manifest.json"), fixture.envelope(fixture.canonicalJson(release), keys));
}

// The entry of a file that v2 changed and has no .z twin (so the raw object is what is served).
function changedEntry(out) {
  const entry = out.release.files.find((f) => f.path === "app.py");
  expect(entry && entry.z === undefined, "app.py has no .z twin");
  return entry;
}

// Each case: [name, how to make the bad release, expected reason, "manifest" | "file"].
// "manifest" refusals must leave the device's whole folder byte for byte as it was; "file"
// refusals happen while filling the inactive slot: the state and the running slot must be as
// they were, and the inactive slot may only hold files of the new release (kept for the next
// try) and, after a truncated download, its .part.
const refusals = [
  ["bad signature", (pub) => {
    publishApp("2", 6, { pubdir: pub });
    tamperManifest(pub, (t) => t.replace(/"sig":"(.)/, (m, c) => `"sig":"${c === "A" ? "B" : "A"}`));
  }, "bad signature", "manifest"],
  ["signed bytes altered", (pub) => {
    publishApp("2", 6, { pubdir: pub });
    tamperManifest(pub, (t) => t.replace('"version":"2"', '"version":"3"'));
  }, "bad signature", "manifest"],
  ["unknown key", (pub) => {
    publish({ src: appFolder(appFiles("2")), pubdir: pub, keys: [fixture.makeKey()], sequence: 6, version: "2", board: "test-board" });
  }, "not signed by a trusted key", "manifest"],
  ["replayed older sequence", (pub) => publishApp("0", 3, { pubdir: pub }), "replayed manifest: sequence 3 is not above the confirmed 5", "manifest"],
  ["replayed equal sequence", (pub) => publishApp("1b", 5, { pubdir: pub }), "replayed manifest: sequence 5", "manifest"],
  ["oversized manifest", (pub) => publishApp("2", 6, { pubdir: pub }), "manifest larger than 300 bytes", "manifest", { MANIFEST_CAP: 300 }],
  ["wrong mpy_abi", (pub) => publishApp("2", 6, { pubdir: pub, mpyAbi: { header: "M", version: 5, sub_version: 0, small_int_bits: 31 } }), "mpy_abi", "manifest"],
  ["wrong .mpy version for this firmware", (pub) => publishApp("2", 6, { pubdir: pub, mpyAbi: { header: "M", version: 6, sub_version: 2, small_int_bits: 31 } }),
    "release needs .mpy version 6.2, this firmware runs 6.3", "manifest", { MPY_ABI: { header: "M", version: 6, sub_version: 2, small_int_bits: 31 } }],
  ["wrong board", (pub) => publishApp("2", 6, { pubdir: pub, board: "other-board" }), "release is for board 'other-board', device is 'test-board'", "manifest"],
  ["expired", (pub) => publishApp("2", 6, { pubdir: pub, expires: Math.floor(Date.now() / 1000) - 3600 }), "release expired", "manifest"],
  ["wrong target", (pub) => publishApp("2", 6, { pubdir: pub, target: "circuitpython" }), "release is for target 'circuitpython'", "manifest"],
  ["wrong channel", (pub) => {
    const out = publishApp("2", 6, { pubdir: pub, channel: "beta" });
    mkdirSync(join(pub, "stable"), { recursive: true });
    writeFileSync(join(pub, "stable", "manifest.json"), out.manifest);
  }, "release is for channel 'beta', device follows 'stable'", "manifest"],
  ["format 2", (pub) => {
    const out = publishApp("2", 6, { pubdir: pub });
    handManifest(pub, { ...out.release, format: 2 });
  }, "unsupported manifest format 2", "manifest"],
  ...["../evil.py", "/abs.py", "lib\\win.py", "lib//empty.py", "./app.py", "lib/../app.py"].map((bad) => [`bad path ${bad}`, (pub) => {
    const out = publishApp("2", 6, { pubdir: pub });
    const files = out.release.files.map((f) => (f.path === "app.py" ? { ...f, path: bad } : f));
    handManifest(pub, { ...out.release, files });
  }, "bad path", "manifest"]),
  ["hash mismatch", (pub) => {
    const out = publishApp("2", 6, { pubdir: pub });
    const entry = changedEntry(out);
    const bytes = readFileSync(join(pub, entry.download_path));
    bytes[bytes.length - 2] ^= 0x20;
    writeFileSync(join(pub, entry.download_path), bytes);
  }, "app.py: sha256 mismatch", "file"],
  ["hash mismatch in a .z twin", (pub, tweak) => {
    const out = publishApp("2", 6, { pubdir: pub }, { "data/big.txt": "compressible line\n".repeat(200) });
    const entry = out.release.files.find((f) => f.path === "data/big.txt");
    expect(entry.z, "data/big.txt has a .z twin");
    // Same inflated size, other bytes; the transport announces the length the manifest expects.
    const z = zlib.deflateSync(Buffer.from("compressible LINE\n".repeat(200)), { windowBits: 10, level: 9 });
    writeFileSync(join(pub, entry.download_path + ".z"), z);
    tweak.push(`T.lie[${JSON.stringify(entry.download_path + ".z")}] = ${entry.z}`);
  }, "data/big.txt: sha256 mismatch", "file"],
  ["wrong size", (pub) => {
    const out = publishApp("2", 6, { pubdir: pub });
    const entry = changedEntry(out);
    writeFileSync(join(pub, entry.download_path), Buffer.concat([readFileSync(join(pub, entry.download_path)), Buffer.from("# more\n")]));
  }, "app.py: size mismatch (server has", "file"],
  ["truncated stream", (pub, tweak) => {
    const out = publishApp("2", 6, { pubdir: pub });
    tweak.push(`T.truncate[${JSON.stringify(changedEntry(out).download_path)}] = 10`);
  }, "app.py: truncated (10 of", "file"],
  ["truncated .z stream", (pub, tweak) => {
    const out = publishApp("2", 6, { pubdir: pub }, { "data/big.txt": "compressible line\n".repeat(200) });
    const entry = out.release.files.find((f) => f.path === "data/big.txt");
    tweak.push(`T.truncate[${JSON.stringify(entry.download_path + ".z")}] = 20`);
  }, "data/big.txt: truncated", "file"],
  ["stream too long", (pub, tweak) => {
    const out = publishApp("2", 6, { pubdir: pub });
    tweak.push(`T.extra[${JSON.stringify(changedEntry(out).download_path)}] = b"#x"`);
  }, "app.py: too long", "file"],
];

// What must not change after a refused file download (see above).
function checkFileRefusal(dev, before, after, newFiles) {
  const frozen = (snap) => new Map([...snap].filter(([p]) => !p.startsWith("ota/b/")));
  const diff = diffSnapshots(frozen(before), frozen(after));
  expect(diff === "", `state or running slot changed: ${diff}`);
  const slotB = dev.eval("result = device_lib.tree_sha256('/flash/ota/b')");
  for (const [path, sha] of Object.entries(slotB)) {
    if (path.endsWith(".part")) continue;
    expect(newFiles[path] === sha, `inactive slot holds ${path}, not a file of the new release`);
  }
}

async function refusalCase([name, make, reason, kind, config]) {
  const snapshot = await baseDevice();
  const pub = tempDir("pub");
  const tweak = [];
  make(pub, tweak);
  const dev = await device({ pubdir: pub, snapshot, config });
  dev.boot();
  const before = dev.snapshot(k_root);
  if (tweak.length) dev.run(tweak.join("\n"));
  const result = dev.update();
  expect(result.startsWith("error:") && result.includes(reason), `${name}: got ${JSON.stringify(result)}, expected an error with ${JSON.stringify(reason)}`);
  const after = dev.snapshot(k_root);
  if (kind === "manifest") {
    const diff = diffSnapshots(before, after);
    expect(diff === "", `${name}: the device changed: ${diff}`);
  } else {
    checkFileRefusal(dev, before, after, dev.publishedFiles());
  }
  expectEqual(dev.boot(), { slot: "a", version: "1", util: "util for 1" }, `${name}: boot after the refusal`);
  expectEqual(dev.status().sequence, k_base_sequence, `${name}: confirmed sequence`);
  return result.slice("error:".length);
}

async function allRefusals() {
  const reasons = [];
  for (const c of refusals) reasons.push(`${c[0]} -> "${await refusalCase(c)}"`);
  return `${refusals.length} refused, device unchanged:\n    ` + reasons.join("\n    ");
}

// After a truncated download the next update() resumes the .part with a Range request, and a
// refused file is fetched whole once the server is right again.
async function resumeAfterTruncation() {
  const snapshot = await baseDevice();
  const big = Array.from({ length: 300 }, (_, i) => `line ${i} ${(i * 7919) % 10007}\n`).join("");
  const out = publishApp("2", 6, {}, { "data/big.txt": big });
  const entry = out.release.files.find((f) => f.path === "data/big.txt");
  // Serve the raw object only: the .z twin cannot be resumed (it is compressed).
  rmSync(join(out.pubdir, entry.download_path + ".z"), { force: true });
  const release = { ...out.release, files: out.release.files.map((f) => (f === entry ? { ...f, z: undefined } : f)) };
  handManifest(out.pubdir, release);
  const dev = await device({ pubdir: out.pubdir, snapshot });
  dev.boot();
  dev.run(`T.truncate[${JSON.stringify(entry.download_path)}] = 2000`);
  const first = dev.update();
  expect(first.includes("data/big.txt: truncated (2000 of"), `first try: ${first}`);
  dev.run("T.truncate.clear()\nT.requests = []\nT.bytes_served = 0");
  expectEqual(dev.update(), "ok:updated", "second try");
  const requests = dev.eval("result = T.requests");
  const ranged = requests.find(([path]) => path === entry.download_path);
  expectEqual(ranged, [entry.download_path, 2000], "the resumed request");
  expectEqual(dev.boot().version, "2", "boot after resume");
  expect(sameFiles(dev.slotFiles("b"), dev.publishedFiles()), "slot b holds exactly v2");
  return `resumed from byte 2000 of ${entry.size}; second try served ${dev.bytesServed()} bytes (manifest included)`;
}

// A release that never confirms, and one that raises on import, are dropped after MAX_BOOTS
// starts; the dropped sequence is not installed again; a good one after them works.
async function rollback() {
  const snapshot = await baseDevice();
  const lines = [];
  for (const [version, appPy] of [
    ["2-silent", null],
    ["2-broken", 'raise RuntimeError("broken release")\n'],
  ]) {
    const out = publishApp(version, 6, {}, appPy ? { "app.py": appPy } : {});
    const dev = await device({ pubdir: out.pubdir, snapshot });
    dev.boot();
    expectEqual(dev.update(), "ok:updated", `${version}: update`);
    for (let attempt = 1; attempt <= 3; attempt++) {
      const booted = dev.boot();
      expectEqual(booted.slot, "b", `${version}: boot ${attempt} runs the new slot`);
      if (appPy) expect(booted.error && booted.error.includes("broken release"), `${version}: import fails`);
      else expectEqual(booted.version, version, `${version}: boot ${attempt}`);
      expectEqual(dev.status().boots, attempt, `${version}: boots counted`);
    }
    expectEqual(dev.boot(), { slot: "a", version: "1", util: "util for 1" }, `${version}: boot 4 rolls back`);
    expectEqual(dev.status(), { active: "a", sequence: 5, version: "1", pending: null, pending_sequence: null, boots: 0, running: "a" }, `${version}: status after rollback`);
    const again = dev.update();
    expect(again === "error:release 6 was rolled back after failing to confirm", `${version}: update() after rollback: ${again}`);
    // A fixed release with a higher sequence installs and confirms.
    publishApp("3", 7, { pubdir: out.pubdir });
    dev.writeTree(out.pubdir, "/srv/fleet");
    expectEqual(dev.update(), "ok:updated", `${version}: fixed release`);
    expectEqual(dev.boot().version, "3", `${version}: boot the fixed release`);
    expect(dev.confirm(), `${version}: confirm the fixed release`);
    lines.push(`${version}: 3 starts, then back to v1`);
  }
  return lines.join("; ");
}

// A staged release that has not booted yet is replaced by a newer one; a damaged newest state
// record falls back to the other one.
async function restageAndTornState() {
  const snapshot = await baseDevice();
  const out = publishApp("2", 6);
  const dev = await device({ pubdir: out.pubdir, snapshot });
  dev.boot();
  expectEqual(dev.update(), "ok:updated", "stage v2");
  publishApp("3", 7, { pubdir: out.pubdir });
  dev.writeTree(out.pubdir, "/srv/fleet");
  expectEqual(dev.update(), "ok:updated", "stage v3 over the unbooted v2");
  expectEqual(dev.status().pending_sequence, 7, "v3 pending");
  // Tear the newest record (v3 staged): the device must read the other one (nothing staged).
  const state = dev.eval("import mpyship_ota._state as S\nresult = S.read()[1]");
  const path = `${k_root}/ota/state${state}.json`;
  const bytes = dev.mp.FS.readFile(path);
  dev.mp.FS.writeFile(path, bytes.subarray(0, bytes.length - 9));
  const status = dev.status();
  expect(status.pending === null && status.sequence === 5, `torn newest record: fell back to ${JSON.stringify(status)}`);
  expectEqual(dev.boot().version, "1", "boot with the newest record torn");
  // And update() repairs it all.
  expectEqual(dev.update(), "ok:updated", "update after the torn record");
  expectEqual(dev.boot().version, "3", "boot v3");
  return "v3 replaced the unbooted v2; a torn record falls back to the other";
}

export const tests = [
  ["e2e: factory -> v1 -> v2 with boot/confirm/status", endToEnd],
  ["refusals: each refused with its reason, device unchanged", allRefusals],
  ["resume: truncated download continues with a Range request", resumeAfterTruncation],
  ["rollback: unconfirmed and crashing releases roll back after MAX_BOOTS", rollback],
  ["restage an unbooted release; torn state record", restageAndTornState],
];
