// Runs compiled .mpy programs in the official MicroPython v1.28.0 WebAssembly VM (npm package
// @micropython/micropython-webassembly-pyscript), like `micropython -m NAME` on the unix port.
//
//   node run_mpy.mjs FILE.mpy              the program's stdout and stderr on ours; exit status 0 on
//                                          success, 1 after an uncaught exception (SystemExit: its code)
//   node run_mpy.mjs --batch FILE.mpy...   one JSON line per program on stdout, in order:
//                                          {"file", "status", "exit", "stdout", "stderr", "ms"}
//   node run_mpy.mjs --batch -             the same, file names read from stdin (one per line)
//
// status: ok | exception | timeout | output-limit | vm-error | not-run. Options: --timeout-ms N (per
// program, default 5000; the slowest corpus program takes about 0.1 s), --max-timeouts N (after N
// timeouts a batch reports the rest as not-run, so that a compiler bug making loops endless costs
// minutes, not hours; default 10), --jobs N (parallel workers, default 1), --heapsize BYTES (VM heap,
// default 1 MiB). Every program runs in a VM of its own, so nothing leaks between programs.
import { Worker } from "node:worker_threads";
import { readFileSync } from "node:fs";

const k_worker = new URL("./vm_worker.mjs", import.meta.url);

function parseArgs(argv) {
  const args = { batch: false, timeoutMs: 5000, maxTimeouts: 10, jobs: 1, heapsize: undefined, files: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--batch") args.batch = true;
    else if (a === "--timeout-ms") args.timeoutMs = Number(argv[++i]);
    else if (a === "--max-timeouts") args.maxTimeouts = Number(argv[++i]);
    else if (a === "--jobs") args.jobs = Math.max(1, Number(argv[++i]));
    else if (a === "--heapsize") args.heapsize = Number(argv[++i]);
    else args.files.push(a);
  }
  if (args.files.length === 1 && args.files[0] === "-")
    args.files = readFileSync(0, "utf8").split("\n").filter((line) => line.length > 0);
  return args;
}

// One worker thread, restarted after a timeout (terminating it is the only way to stop the VM).
class Runner {
  constructor(options) {
    this.m_options = options;
    this.m_worker = null;
    this.m_next_id = 0;
  }

  start() {
    this.m_worker = new Worker(k_worker, { workerData: { heapsize: this.m_options.heapsize } });
  }

  run(file) {
    if (!this.m_worker) this.start();
    const id = this.m_next_id++;
    const started = performance.now();
    return new Promise((resolve) => {
      const finish = (result) => {
        clearTimeout(timer);
        this.m_worker?.off("message", onMessage);
        resolve({ file, ...result, ms: Math.round(performance.now() - started) });
      };
      const onMessage = (message) => message.id === id && finish(message);
      const timer = setTimeout(() => {
        this.m_worker.terminate();
        this.m_worker = null;
        finish({ status: "timeout", exit: 1, stdout: Buffer.alloc(0), stderr: Buffer.from("timeout\n") });
      }, this.m_options.timeoutMs);
      this.m_worker.on("message", onMessage);
      this.m_worker.postMessage({ id, file });
    });
  }

  stop() {
    this.m_worker?.terminate();
  }
}

function asJsonLine(result) {
  const text = (bytes) => Buffer.from(bytes).toString("utf8");
  return JSON.stringify({
    file: result.file,
    status: result.status,
    exit: result.exit,
    stdout: text(result.stdout),
    stderr: text(result.stderr),
    ms: result.ms,
  });
}

function notRun(file, timeouts) {
  const why = `not run: ${timeouts} programs of this batch timed out before\n`;
  return { file, status: "not-run", exit: 1, stdout: Buffer.alloc(0), stderr: Buffer.from(why), ms: 0 };
}

// Runs the files on `jobs` workers and prints the JSON lines in input order as they complete.
async function runBatch(args) {
  const results = new Array(args.files.length);
  let printed = 0;
  let next = 0;
  let timeouts = 0;
  const flush = () => {
    while (printed < results.length && results[printed] !== undefined)
      process.stdout.write(asJsonLine(results[printed++]) + "\n");
  };
  const lane = async () => {
    const runner = new Runner(args);
    while (next < args.files.length) {
      const index = next++;
      const file = args.files[index];
      results[index] = timeouts >= args.maxTimeouts ? notRun(file, timeouts) : await runner.run(file);
      if (results[index].status === "timeout") timeouts++;
      flush();
    }
    runner.stop();
  };
  await Promise.all(Array.from({ length: Math.min(args.jobs, args.files.length) }, lane));
}

async function runOne(args) {
  const runner = new Runner(args);
  const result = await runner.run(args.files[0]);
  runner.stop();
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  process.exitCode = result.exit;
}

const args = parseArgs(process.argv.slice(2));
if (args.files.length === 0 || (!args.batch && args.files.length !== 1)) {
  process.stderr.write("usage: node run_mpy.mjs [--timeout-ms N] [--heapsize B] FILE.mpy\n" +
    "       node run_mpy.mjs --batch [--jobs N] [--timeout-ms N] [--max-timeouts N] [--heapsize B] FILE.mpy... | -\n");
  process.exitCode = 2;
} else if (args.batch) {
  await runBatch(args);
} else {
  await runOne(args);
}
