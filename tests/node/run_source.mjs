// Imports one module from a folder of .py sources in the official MicroPython v1.28.0 WebAssembly VM
// (compiled by the VM itself, not by mpyship) and prints what it prints: the reference output of a
// project's module for tests that run the same module elsewhere (frozen into real firmware).
//
//   node run_source.mjs DIR MODULE     stdout: the module's output; exit status 1 after an exception
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const k_root = "/src";

// Copies DIR's .py files (and folders, for packages) into the VM's file system under k_root.
function copyTree(mp, from, to) {
  mp.FS.mkdir(to);
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    if (entry.isDirectory()) copyTree(mp, join(from, entry.name), `${to}/${entry.name}`);
    else if (entry.name.endsWith(".py")) mp.FS.writeFile(`${to}/${entry.name}`, readFileSync(join(from, entry.name)));
  }
}

const [dir, name] = process.argv.slice(2);
if (!dir || !/^[A-Za-z_][A-Za-z0-9_.]*$/.test(name ?? "")) {
  process.stderr.write("usage: node run_source.mjs DIR MODULE\n");
  process.exit(2);
}
const mp = await loadMicroPython({
  linebuffer: false,
  stdout: (bytes) => process.stdout.write(bytes),
  stderr: (bytes) => process.stderr.write(bytes),
});
copyTree(mp, dir, k_root);
try {
  mp.runPython(`import sys\nsys.path.insert(0, '${k_root}')\nimport ${name}`);
} catch (error) {
  if (error.name !== "PythonError") throw error;
  process.stderr.write(error.message);
  process.exitCode = 1;
}
