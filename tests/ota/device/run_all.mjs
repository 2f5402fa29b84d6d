// Runs every OTA device test in the official MicroPython WebAssembly VM: one line per test, then
// "N passed, N failed"; exits non-zero when a test fails.
//
//   node tests/ota/device/run_all.mjs [substring]     only the tests whose name contains it
//
// Each test runs in a node process of its own (this script again, with --one NAME), so that a
// test that hangs inside the VM (WebAssembly code cannot be interrupted from its own thread) is
// killed after OTA_TEST_TIMEOUT seconds (default 180), reported by name with what it printed,
// and run once more (CI saw one such hang that 200 local runs of the same test never showed);
// a second hang fails it. The other tests run either way.
//
// OTA_PUBLISHER=path/to/module.mjs uses that module's publish(options) instead of the fixture
// publisher (see harness.mjs), e.g. one that runs the real `mpyship publish`.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { cleanUp, usePublisherFromEnv } from "./harness.mjs";
import { tests as cryptoTests } from "./test_crypto.mjs";
import { tests as updateTests } from "./test_update.mjs";
import { tests as faultTests } from "./test_faults.mjs";
import { tests as measureTests } from "./test_measure.mjs";
import { tests as httpTests } from "./test_http.mjs";
import { tests as mpyshipTests } from "./test_mpyship.mjs";
import { tests as unixPortTests } from "./test_unix_port.mjs";

const all = [...cryptoTests, ...updateTests, ...faultTests, ...measureTests, ...httpTests, ...mpyshipTests, ...unixPortTests];

// Runs one test in this process and prints its line; the exit code says whether it passed.
async function runOne(name) {
  const test = all.find(([n]) => n === name);
  if (!test) {
    console.log(`FAIL ${name}: no such test`);
    return 1;
  }
  await usePublisherFromEnv();
  const t0 = Date.now();
  try {
    const detail = await test[1]();
    if (String(detail).startsWith("skipped:")) console.log(`SKIP ${name}: ${detail.slice(9)}`);
    else console.log(`PASS ${name} (${Date.now() - t0} ms)${detail ? ": " + detail : ""}`);
    return 0;
  } catch (error) {
    console.log(`FAIL ${name} (${Date.now() - t0} ms): ${String(error.stack || error).slice(0, 4000)}`);
    return 1;
  } finally {
    cleanUp();
  }
}

// Runs one test in a child process; resolves to "passed" (or skipped), "failed" or "timeout".
function runChild(name, timeoutMs) {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), "--one", name], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b) => (out += b));
    child.stderr.on("data", (b) => (out += b));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      const printed = out.trimEnd();
      if (timedOut) {
        console.log(`HUNG ${name} (${Date.now() - t0} ms): no result after ${timeoutMs / 1000} s, killed${printed ? "; it printed:\n" + printed : ""}`);
        resolve("timeout");
      } else if (code === 0 && /^(PASS|SKIP) /m.test(printed)) {
        console.log(printed);
        resolve("passed");
      } else {
        const why = signal ? `killed by ${signal}` : `exit code ${code}`;
        console.log(/^FAIL /m.test(printed) ? printed : `FAIL ${name} (${Date.now() - t0} ms): ${why}${printed ? "; it printed:\n" + printed : ""}`);
        resolve("failed");
      }
    });
  });
}

if (process.argv[2] === "--one") {
  process.exitCode = await runOne(process.argv[3]);
} else {
  const filter = process.argv[2] ?? "";
  const timeoutMs = Number(process.env.OTA_TEST_TIMEOUT || 180) * 1000;
  let passed = 0;
  let failed = 0;
  const started = Date.now();
  for (const [name] of all.filter(([n]) => n.includes(filter))) {
    let result = await runChild(name, timeoutMs);
    if (result === "timeout") {
      // Once more in a new process: a second hang fails the test; a pass is reported as such.
      console.log(`RETRY ${name}: the first run hung; running it once more`);
      result = await runChild(name, timeoutMs);
      if (result === "timeout") console.log(`FAIL ${name}: hung twice`);
    }
    if (result === "passed") passed++;
    else failed++;
  }
  console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed ? 1 : 0;
}
