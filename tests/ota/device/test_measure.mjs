// Measurements, each also a check: Ed25519 verify time and heap, update() heap at a 128 KiB
// heap, and the bytes fetched for a one-file change in a 50-file release.
//
// Heap figures in this VM: it never collects while Python runs (the heap grows instead) and
// collects when a call from JavaScript returns. So the work is run as a generator stepped from
// JavaScript (verify_steps / update_steps): garbage is collected between steps, gc.mem_alloc()
// read right after a step bounds the heap that step needed (live data + all of its garbage, as
// if the device never collected within a step), and the heap's total size, read from
// micropython.mem_info(), must still be the 128 KiB it started with: nothing ever needed more.
import { appFolder, device, expect, expectEqual, publish, sameFiles, signingKey, tempDir } from "./harness.mjs";
import { newDevice } from "./vm.mjs";
import * as fixture from "./fixture_publish.mjs";
import crypto from "node:crypto";

const k_heap = 128 * 1024;

function heapTotal(dev) {
  const mark = dev.output().length;
  dev.run("import micropython\nmicropython.mem_info()");
  const m = /GC: total: (\d+)/.exec(dev.output().slice(mark));
  return Number(m[1]);
}

// Steps generator `name` (a Python global) from JavaScript until it is exhausted; returns the
// largest gc.mem_alloc() seen right after a step (an upper bound of the heap in use: this VM
// collects lazily, so it includes garbage of earlier steps too), the number of steps, the last
// value yielded, and gc.mem_alloc() once done.
function stepHeap(dev, name) {
  dev.run([
    "import gc",
    "_peak = [0, 0, 0, None]",
    "def _step():",
    "    before = gc.mem_alloc()",
    "    try:",
    `        value = next(${name})`,
    "    except StopIteration:",
    "        return False",
    "    after = gc.mem_alloc()",
    "    _peak[0] = max(_peak[0], after)",
    "    _peak[1] = max(_peak[1], before)",
    "    _peak[2] += 1",
    "    _peak[3] = value",
    "    return True",
  ].join("\n"));
  const step = dev.mp.globals.get("_step");
  while (step()) { /* one step per call: the VM collects between calls */ }
  const [peak, live, steps, last] = dev.eval("result = _peak");
  // What is still in use once the work is done (after the VM's collection between calls).
  dev.run("pass");
  const after = dev.eval("result = gc.mem_alloc()");
  return { peak, live, steps, last, after };
}

// Imports the package's modules one call at a time (so that compiling their source, which a
// board running .mpy files does not do, is collected between them).
function importAll(dev) {
  for (const m of ["_base", "_fs", "_state", "_sha512", "_ed25519", "_manifest", "_http", "_update"]) {
    dev.run(`import mpyship_ota.${m}`);
  }
}

async function verifyCost() {
  const dev = await newDevice({ heapsize: k_heap });
  importAll(dev);
  const key = crypto.generateKeyPairSync("ed25519").privateKey;
  const pk = Buffer.from(crypto.createPublicKey(key).export({ format: "jwk" }).x, "base64url");
  const msg = Buffer.concat([fixture.k_context, crypto.randomBytes(32)]); // the 47-byte message
  const sig = crypto.sign(null, msg, key);
  dev.run(`from binascii import unhexlify\nfrom mpyship_ota import _ed25519\nPK = unhexlify("${pk.toString("hex")}")\nMSG = unhexlify("${msg.toString("hex")}")\nSIG = unhexlify("${sig.toString("hex")}")`);
  const runs = 10;
  const t0 = process.hrtime.bigint();
  const ok = dev.eval(`result = all(_ed25519.verify(PK, MSG, SIG) for _ in range(${runs}))`);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6 / runs;
  expect(ok === true, "verify failed");
  // Heap: a fresh VM, stepped.
  const dev2 = await newDevice({ heapsize: k_heap });
  importAll(dev2);
  dev2.run(`from binascii import unhexlify\nfrom mpyship_ota import _ed25519\nimport gc\ng = _ed25519.verify_steps(unhexlify("${pk.toString("hex")}"), unhexlify("${msg.toString("hex")}"), unhexlify("${sig.toString("hex")}"))`);
  const baseline = dev2.eval("result = gc.mem_alloc()");
  const h = stepHeap(dev2, "g");
  expect(h.last === true, "stepped verify did not end in True");
  const total = heapTotal(dev2);
  expect(total <= k_heap, `the heap grew to ${total} bytes`);
  return `verify ${ms.toFixed(1)} ms (mean of ${runs}, VM on this machine); heap: ${baseline} B in use before ` +
    `(the whole package imported from source), at most ${h.peak} B in use at any step end (${h.steps} steps), ` +
    `${h.after} B after; the heap never grew past its initial ${total} B`;
}

// A 50-file release: modules of varied size (text, so most have a .z twin) and a few binaries.
function fiftyFiles(variant) {
  const files = {};
  for (let i = 0; i < 45; i++) {
    const lines = Array.from({ length: 10 + ((i * 37) % 60) }, (_, j) => `VALUE_${j} = ${(i * 1000 + j * 7) % 9973}  # module ${i}`);
    files[`lib/mod_${String(i).padStart(2, "0")}.py`] = lines.join("\n") + "\n";
  }
  for (let i = 0; i < 4; i++) files[`assets/blob_${i}.bin`] = crypto.createHash("sha512").update(`blob ${i}`).digest().toString("hex").repeat(4 + i * 3);
  files["app.py"] = `import util\nVERSION = "${variant}"\nUTIL = "n/a"\n`;
  files["lib/util.py"] = 'NAME = "util"\n';
  return files;
}

async function updateCost() {
  const pubdir = tempDir("pub50");
  const v1 = publish({ src: appFolder(fiftyFiles("1")), pubdir, keys: [signingKey], sequence: 1, version: "1", board: "test-board" });
  expectEqual(v1.release.files.length, 51, "files in the release"); // 45 + 4 + app.py + lib/util.py
  const dev = await device({ pubdir, heapsize: k_heap });
  importAll(dev);
  dev.run("g = mpyship_ota.update_steps(transport=T)");
  const first = stepHeap(dev, "g");
  expectEqual(first.last, "updated", "first install of the 51-file release");
  const fullBytes = dev.bytesServed();
  const total = heapTotal(dev);
  expect(total <= k_heap, `the heap grew to ${total} bytes during the first install`);
  expectEqual(dev.boot().version, "1", "boot v1");
  expect(dev.confirm(), "confirm v1");

  // One module changes.
  const changed = fiftyFiles("1");
  changed["lib/mod_17.py"] = changed["lib/mod_17.py"].replace("VALUE_3 =", "VALUE_3 = 1 +");
  const v2 = publish({ src: appFolder(changed), pubdir, keys: [signingKey], sequence: 2, version: "2", board: "test-board" });
  dev.writeTree(pubdir, "/srv/fleet");
  dev.run("T.bytes_served = 0\nT.requests = []\ng = mpyship_ota.update_steps(transport=T)");
  const t0 = Date.now();
  const second = stepHeap(dev, "g");
  const ms = Date.now() - t0;
  expectEqual(second.last, "updated", "the one-file update");
  const served = dev.bytesServed();
  const requests = dev.eval("result = T.requests").map(([p]) => p);
  const entry = v2.release.files.find((f) => f.path === "lib/mod_17.py");
  expectEqual(requests, ["stable/manifest.json", entry.download_path + (entry.z ? ".z" : "")], "requests of the one-file update");
  expectEqual(served, v2.manifest.length + (entry.z ?? entry.size), "bytes served");
  expect(heapTotal(dev) <= k_heap, "the heap grew during the one-file update");
  // (app.py is unchanged, so the app still says "1": check the slot and its files instead.)
  expectEqual(dev.boot().slot, "b", "boot v2");
  expect(sameFiles(dev.slotFiles("b"), dev.publishedFiles()), "slot b holds exactly v2");
  expect(dev.confirm(), "confirm v2");
  return `51-file release: first install fetched ${fullBytes} B; one changed file fetched ${served} B ` +
    `(manifest ${v2.manifest.length} B + ${entry.z ? `.z twin ${entry.z}` : `file ${entry.size}`} B of a ${entry.size} B file; ` +
    `2 requests, 50 files copied locally) in ${ms} ms stepped; heap in use at most ${first.peak} B (first install) / ` +
    `${second.peak} B (one-file update) at a step end, ${second.after} B after; the heap never grew past its initial 128 KiB`;
}

// The update() path (not stepped) for timing, from the same kind of release.
async function updateTime() {
  const pubdir = tempDir("pubt");
  publish({ src: appFolder(fiftyFiles("1")), pubdir, keys: [signingKey], sequence: 1, version: "1", board: "test-board" });
  const dev = await device({ pubdir });
  importAll(dev);
  const t0 = Date.now();
  expectEqual(dev.update(), "ok:updated", "update");
  const first = Date.now() - t0;
  dev.boot();
  dev.confirm();
  const t1 = Date.now();
  expectEqual(dev.update(), "ok:current", "update when current");
  return `update() of 51 files from scratch ${first} ms; update() when current (no verify) ${Date.now() - t1} ms`;
}

export const tests = [
  ["measure: Ed25519 verify time and heap at 128 KiB", verifyCost],
  ["measure: bytes and heap for a one-file change in a 51-file release", updateCost],
  ["measure: update() time", updateTime],
];

