// Runs every OTA device test in the official MicroPython WebAssembly VM: one line per test, then
// "N passed, N failed"; exits non-zero when a test fails.
//
//   node tests/ota/device/run_all.mjs [substring]     only the tests whose name contains it
//
// OTA_PUBLISHER=path/to/module.mjs uses that module's publish(options) instead of the fixture
// publisher (see harness.mjs), e.g. one that runs the real `mpyship publish`.
import { cleanUp, usePublisherFromEnv } from "./harness.mjs";
import { tests as cryptoTests } from "./test_crypto.mjs";
import { tests as updateTests } from "./test_update.mjs";
import { tests as faultTests } from "./test_faults.mjs";
import { tests as measureTests } from "./test_measure.mjs";
import { tests as httpTests } from "./test_http.mjs";
import { tests as mpyshipTests } from "./test_mpyship.mjs";
import { tests as unixPortTests } from "./test_unix_port.mjs";

await usePublisherFromEnv();
const filter = process.argv[2] ?? "";
const all = [...cryptoTests, ...updateTests, ...faultTests, ...measureTests, ...httpTests, ...mpyshipTests, ...unixPortTests].filter(([name]) => name.includes(filter));

let passed = 0;
let failed = 0;
const started = Date.now();
for (const [name, run] of all) {
  const t0 = Date.now();
  try {
    const detail = await run();
    passed++;
    if (String(detail).startsWith("skipped:")) {
      console.log(`SKIP ${name}: ${detail.slice(9)}`);
      continue;
    }
    console.log(`PASS ${name} (${Date.now() - t0} ms)${detail ? ": " + detail : ""}`);
  } catch (error) {
    failed++;
    console.log(`FAIL ${name} (${Date.now() - t0} ms): ${String(error.stack || error).slice(0, 4000)}`);
  }
}
cleanUp();
console.log(`total ${((Date.now() - started) / 1000).toFixed(1)} s`);
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
