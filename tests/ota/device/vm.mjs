// A device for the OTA tests: one fresh official MicroPython v1.28 WebAssembly VM (from the npm
// package installed under tests/node) with mpyship_ota and the test helpers on its file system.
//
// Two facts about this VM shape how the tests use it:
// - it has no socket module, so updates go through a transport that serves a published tree from
//   the VM's own file system (device_lib.py's FileTransport);
// - its heap never collects while Python code runs: gc_collect() is a no-op there and the heap
//   grows instead (heapsize is only the first heap area); it collects when control returns to
//   JavaScript at the outermost level. Peak-heap figures therefore come from stepping a generator
//   from JavaScript and reading gc.mem_alloc() around each step (see heap.mjs).
import { createRequire } from "node:module";
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(join(here, "../../node/package.json"));
const { loadMicroPython } = await import(require.resolve("@micropython/micropython-webassembly-pyscript"));

export const packageDir = join(here, "../../../src/mpyship/ota/device/mpyship_ota");
export const testsDir = here;
const k_lib = "/lib";

// Loads a VM with the package at /lib/mpyship_ota and device_lib.py at /lib. `config` (an object)
// becomes /lib/mpyship_ota/_config.py, as the host would write it into a build.
export async function newDevice({ heapsize = 128 * 1024, config } = {}) {
  const out = [];
  const mp = await loadMicroPython({
    heapsize,
    linebuffer: false,
    stdout: (b) => out.push(Buffer.from(b)),
    stderr: (b) => out.push(Buffer.from(b)),
  });
  mkdirs(mp, `${k_lib}/mpyship_ota`);
  for (const name of readdirSync(packageDir)) {
    if (name.endsWith(".py") && name !== "_config.py") {
      mp.FS.writeFile(`${k_lib}/mpyship_ota/${name}`, readFileSync(join(packageDir, name)));
    }
  }
  mp.FS.writeFile(`${k_lib}/device_lib.py`, readFileSync(join(here, "device_lib.py")));
  if (config) mp.FS.writeFile(`${k_lib}/mpyship_ota/_config.py`, configSource(config));
  return new Device(mp, out);
}

// Python source of a _config module: each field as a Python literal (JSON literals plus None).
export function configSource(config) {
  const lines = ["# Written by the OTA tests, as `mpyship build` writes it into a build."];
  for (const [key, value] of Object.entries(config)) lines.push(`${key} = ${pyLiteral(value)}`);
  return lines.join("\n") + "\n";
}

function pyLiteral(value) {
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (Array.isArray(value)) return `[${value.map(pyLiteral).join(", ")}]`;
  if (typeof value === "object") {
    return `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${pyLiteral(v)}`).join(", ")}}`;
  }
  return JSON.stringify(value);
}

export function mkdirs(mp, path) {
  let at = "";
  for (const part of path.split("/").filter(Boolean)) {
    at += "/" + part;
    if (!mp.FS.analyzePath(at).exists) mp.FS.mkdir(at);
  }
}

class Device {
  constructor(mp, out) {
    this.mp = mp;
    this._out = out;
  }

  // Runs Python; a Python exception becomes a JavaScript Error carrying the traceback.
  run(code) {
    try {
      this.mp.runPython(code);
    } catch (error) {
      if (error.name !== "PythonError") throw error;
      const e = new Error(`${error.type}: ${error.message}\n--- device output ---\n${this.output()}`);
      e.pythonType = error.type;
      throw e;
    }
  }

  // Runs Python that assigns `result`; returns it decoded from JSON.
  eval(code) {
    this.run(`import json as _json\n${code}\n_result_json = _json.dumps(result)`);
    return JSON.parse(this.mp.globals.get("_result_json"));
  }

  output() {
    return Buffer.concat(this._out).toString();
  }

  // Copies a host folder into the VM's file system.
  writeTree(hostDir, vmDir) {
    mkdirs(this.mp, vmDir);
    for (const entry of readdirSync(hostDir, { withFileTypes: true })) {
      const from = join(hostDir, entry.name);
      if (entry.isDirectory()) this.writeTree(from, `${vmDir}/${entry.name}`);
      else this.mp.FS.writeFile(`${vmDir}/${entry.name}`, readFileSync(from));
    }
  }

  // The VM folder as a sorted Map of relative path -> Buffer ("" + "/" for folders), or an empty
  // Map when it does not exist: a snapshot to compare or to restore into another device.
  snapshot(vmDir) {
    const files = new Map();
    if (!this.mp.FS.analyzePath(vmDir).exists) return files;
    const walk = (dir, rel) => {
      for (const name of this.mp.FS.readdir(dir).filter((n) => n !== "." && n !== "..").sort()) {
        const path = `${dir}/${name}`;
        const relPath = rel ? `${rel}/${name}` : name;
        if (this.mp.FS.isDir(this.mp.FS.stat(path).mode)) {
          files.set(relPath + "/", null);
          walk(path, relPath);
        } else {
          files.set(relPath, Buffer.from(this.mp.FS.readFile(path)));
        }
      }
    };
    walk(vmDir, "");
    return files;
  }

  restore(vmDir, snapshot) {
    mkdirs(this.mp, vmDir);
    for (const [rel, bytes] of snapshot) {
      if (bytes === null) mkdirs(this.mp, `${vmDir}/${rel.slice(0, -1)}`);
      else this.mp.FS.writeFile(`${vmDir}/${rel}`, bytes);
    }
  }
}

// A readable difference between two snapshots, or "" when they are equal.
export function diffSnapshots(before, after) {
  const lines = [];
  for (const [path, bytes] of before) {
    if (!after.has(path)) lines.push(`removed ${path}`);
    else if (bytes !== null && !bytes.equals(after.get(path))) lines.push(`changed ${path}`);
  }
  for (const path of after.keys()) if (!before.has(path)) lines.push(`added ${path}`);
  return lines.join(", ");
}

export function hostTreeExists(dir) {
  return existsSync(dir) && statSync(dir).isDirectory();
}
