// A worker thread that runs programs one at a time, each in a fresh VM, for run_mpy.mjs.
// It lives in a thread so that the main thread can stop a program that never ends: the VM runs
// synchronously and cannot be interrupted from its own thread.
import { parentPort, workerData } from "node:worker_threads";
import { readFileSync } from "node:fs";
import { runMpy } from "./mpy_vm.mjs";

parentPort.on("message", async ({ id, file }) => {
  try {
    const result = await runMpy(readFileSync(file), file, workerData);
    parentPort.postMessage({ id, ...result });
  } catch (error) {
    // A fault of the VM itself (a wasm trap, an abort): report it and go on with a fresh VM.
    parentPort.postMessage({ id, status: "vm-error", exit: 1, stdout: Buffer.alloc(0), stderr: Buffer.from(`${error.stack}\n`) });
  }
});
