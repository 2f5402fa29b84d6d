// What the OTA device tests share: app folders to publish, the publisher, and a device (a VM,
// see vm.mjs) set up with a config, a published tree to update from, and a factory app.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import * as fixture from "./fixture_publish.mjs";
import { newDevice } from "./vm.mjs";

export const k_url = "http://ota.test/fleet";
export const k_srv = "/srv/fleet"; // where the device's FileTransport finds the published tree
export const k_root = "/flash"; // the device's working folder; ROOT of its config
export const k_app_modules = ["app", "util"];

const scratch = [];
export function tempDir(tag) {
  const dir = mkdtempSync(join(tmpdir(), `mpyship-ota-${tag}-`));
  scratch.push(dir);
  return dir;
}
export function cleanUp() {
  for (const dir of scratch.splice(0)) rmSync(dir, { recursive: true, force: true });
}

// Writes {relative path: content} into a new folder and returns it.
export function appFolder(files) {
  const dir = tempDir("app");
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

// A small app: app.py (imports util from lib/), lib/util.py, and some data. `extra` adds files.
export function appFiles(version, extra = {}) {
  return {
    "app.py": `import util\nVERSION = ${JSON.stringify(version)}\nUTIL = util.NAME\n`,
    "lib/util.py": `NAME = "util for ${version}"\n`,
    "data/readme.txt": "The same in every release.\n".repeat(40),
    ...extra,
  };
}

// The publisher. By default the node fixture; OTA_PUBLISHER=path/to/module.mjs swaps in another
// module exporting the same publish(options) (e.g. one that runs the real `mpyship publish`).
let publisherModule = fixture;
export async function usePublisherFromEnv() {
  if (process.env.OTA_PUBLISHER) publisherModule = await import(pathToFileURL(process.env.OTA_PUBLISHER).href);
}
export function publish(options) {
  return publisherModule.publish(options);
}

export const signingKey = fixture.makeKey();

export function deviceConfig(overrides = {}) {
  return {
    URL: k_url,
    CHANNEL: "stable",
    PUBLIC_KEYS: [fixture.publicKeyText(signingKey)],
    TARGET: "micropython",
    MPY_ABI: fixture.k_default_abi,
    BOARD: "test-board",
    MAX_BOOTS: 3,
    MANIFEST_CAP: 65536,
    ROOT: k_root,
    ...overrides,
  };
}

// A device whose working folder holds a factory app, that updates from `pubdir`.
// `snapshot` (from an earlier device's snapshot(k_root)) replaces the factory folder.
export async function device({ pubdir, config = {}, snapshot, heapsize } = {}) {
  const dev = await newDevice({ config: deviceConfig(config), heapsize });
  if (snapshot) dev.restore(k_root, snapshot);
  else {
    dev.restore(k_root, new Map([["app.py", Buffer.from('import util\nVERSION = "factory"\nUTIL = util.NAME\n')],
      ["util.py", Buffer.from('NAME = "factory util"\n')]]));
  }
  if (pubdir) dev.writeTree(pubdir, k_srv);
  dev.run([
    "import os, sys",
    `os.chdir(${JSON.stringify(k_root)})`,
    "import device_lib, mpyship_ota",
    `T = device_lib.FileTransport(${JSON.stringify(k_url)}, ${JSON.stringify(k_srv)})`,
  ].join("\n"));
  return Object.assign(dev, deviceActions);
}

// Actions on a device, in Python; each returns plain values.
const deviceActions = {
  // "ok:updated", "ok:current" or "error:<reason>".
  update() {
    return this.eval("result = device_lib.result_of(mpyship_ota.update, transport=T)");
  },
  // A (re)boot inside this interpreter: forget the app, boot(), import the app.
  // Returns {slot, version, util} or {slot, error} when the app does not import.
  boot() {
    return this.eval([
      `device_lib.forget_app(${JSON.stringify(k_app_modules)})`,
      "slot = mpyship_ota.boot()",
      "try:",
      "    import app",
      "    result = {'slot': slot, 'version': app.VERSION, 'util': app.UTIL}",
      "except Exception as e:",
      "    result = {'slot': slot, 'error': repr(e)}",
    ].join("\n"));
  },
  confirm() {
    return this.eval("result = mpyship_ota.confirm()");
  },
  status() {
    return this.eval("result = mpyship_ota.status()");
  },
  bytesServed() {
    return this.eval("result = T.bytes_served");
  },
  // {path: sha256} of the files in a slot folder (without the updater's .manifest.json).
  slotFiles(slot) {
    return this.eval(`result = device_lib.tree_sha256(${JSON.stringify(`${k_root}/ota/${slot}`)})`);
  },
  // {path: sha256} listed by a published manifest.
  publishedFiles(channelManifest = `${k_srv}/stable/manifest.json`) {
    return this.eval(`result = device_lib.manifest_files(${JSON.stringify(channelManifest)})`);
  },
};

// Node-side expectations, throwing with a message that says what differed.
export function expect(condition, message) {
  if (!condition) throw new Error(message);
}
// JSON with object keys sorted: dicts from the VM come in hash order.
export function stable(value) {
  if (Array.isArray(value)) return `[${value.map(stable).join(",")}]`;
  if (value && typeof value === "object") {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stable(value[k])}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
export function expectEqual(actual, expected, what) {
  const a = stable(actual);
  const e = stable(expected);
  if (a !== e) throw new Error(`${what}: got ${a}, expected ${e}`);
}
export function sameFiles(a, b) {
  return JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
}
