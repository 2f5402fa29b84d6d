// Runs one compiled .mpy program in a fresh official MicroPython v1.28.0 WebAssembly VM, the way
// `micropython -m NAME` runs it on the unix port: imported from a directory holding only NAME.mpy,
// with __name__ == '__main__', stdout and stderr captured separately.
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

// The package ships several builds of the same VM. The settrace build is the plain one plus
// sys.settrace, which the runner needs to set __name__ before the program's first instruction:
// this port does not enable the import override behind the unix port's -m.
const k_wasm = require.resolve("@micropython/micropython-webassembly-pyscript/micropython-settrace.wasm");
const k_dir = "/run";

// Collects bytes from the VM's per-byte callback (linebuffer: false; the line-buffered mode drops
// the newlines and a last unterminated line). Past the limit it throws, so that a miscompiled
// program printing in a loop does not fill the memory: the VM's file layer turns that into an
// OSError in the program, and `overflowed` tells the caller why.
function sink(limit) {
  const chunks = [];
  let size = 0;
  const write = (bytes) => {
    size += bytes.length;
    if (size > limit) throw new Error(`output over ${limit} bytes`);
    chunks.push(bytes);
  };
  return { write, bytes: () => Buffer.concat(chunks), overflowed: () => size > limit };
}

// The module name the program is imported as: the file name up to its first dot, so that
// NAME.mp.mpy is imported as NAME like the corpus README's `cp NAME.mp.mpy $d/NAME.mpy`.
export function moduleName(fileName) {
  const stem = fileName.replace(/^.*\//, "").split(".")[0];
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(stem) ? stem : "program";
}

// Python run in the VM's own __main__ before the import: the trace hook sees the program's module
// frame first, renames it to __main__ (what -m does) and switches tracing off for good, so the
// program itself runs untraced. A program that exits with an exception never gets past the import.
function importer(name) {
  return [
    "import sys",
    `sys.path.insert(0, '${k_dir}')`,
    "def _mpyship_as_main(frame, event, arg):",
    `    if frame.f_globals.get('__name__') == '${name}':`,
    "        frame.f_globals['__name__'] = '__main__'",
    "        sys.settrace(None)",
    "    return None",
    "sys.settrace(_mpyship_as_main)",
    `_mpyship_module = __import__('${name}')`,
    // A built-in module of that name would be imported instead, silently: say so.
    `if getattr(_mpyship_module, '__file__', None) != '${k_dir}/${name}.mpy':`,
    `    raise ImportError("'${name}' is the name of a built-in module: rename the program")`,
  ].join("\n");
}

// SystemExit ends the program with its code, as on the unix port; any other exception with 1.
function exitStatus(error) {
  if (error.type !== "SystemExit") return 1;
  const code = /SystemExit: (-?\d+)\s*$/.exec(error.message);
  return code ? Number(code[1]) & 0xff : /SystemExit: \S/.test(error.message) ? 1 : 0;
}

// The traceback's first frame is the importer's `__import__` line, which -m does not have.
function withoutImporterFrame(traceback) {
  return traceback.replace(/^  File "<stdin>", line \d+, in <module>\n/m, "");
}

// Returns { status: "ok" | "exception" | "output-limit", exit, stdout, stderr } (Buffers).
// A fault of the VM itself (a wasm trap) is thrown.
export async function runMpy(mpyBytes, fileName, { heapsize, outputLimit = 1 << 20 } = {}) {
  const out = sink(outputLimit);
  const err = sink(outputLimit);
  const options = { url: k_wasm, linebuffer: false, stdout: out.write, stderr: err.write };
  // An explicit `heapsize: undefined` would replace the package's default, so leave it out.
  if (heapsize !== undefined) options.heapsize = heapsize;
  const mp = await loadMicroPython(options);
  const name = moduleName(fileName);
  mp.FS.mkdir(k_dir);
  mp.FS.writeFile(`${k_dir}/${name}.mpy`, mpyBytes);
  let status = "ok";
  let exit = 0;
  let traceback = "";
  try {
    mp.runPython(importer(name));
  } catch (error) {
    if (error.name !== "PythonError") throw error;
    exit = exitStatus(error);
    status = exit === 0 ? "ok" : "exception";
    if (error.type !== "SystemExit") traceback = withoutImporterFrame(error.message);
  }
  if (out.overflowed() || err.overflowed()) {
    status = "output-limit";
    exit = 1;
  }
  return { status, exit, stdout: out.bytes(), stderr: Buffer.concat([err.bytes(), Buffer.from(traceback)]) };
}
