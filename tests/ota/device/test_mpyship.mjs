// The real host side against the device code: `mpyship keygen`, `mpyship publish` (which builds the project,
// so the app arrives as .mpy files compiled by mpyship) and `mpyship verify PUBDIR`, then update(), boot()
// and confirm() in the VM from the tree `publish` wrote. Runs when MPYSHIP_BINARY names the binary.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { device, expect, expectEqual, k_srv, tempDir } from "./harness.mjs";

const binary = process.env.MPYSHIP_BINARY;

function mpyship(...args) {
  return spawnSync(binary, args, { encoding: "utf8" });
}

function writeProject(dir, version) {
  mkdirSync(join(dir, "src", "lib"), { recursive: true });
  writeFileSync(join(dir, "mpyship.toml"), `[project]\nname = "fleet-app"\nversion = "${version}"\ntarget = "micropython"\n`);
  writeFileSync(join(dir, "src", "app.py"), `import util\nVERSION = ${JSON.stringify(version)}\nUTIL = util.NAME\n`);
  writeFileSync(join(dir, "src", "lib", "util.py"), `NAME = "util for ${version}"\n`);
  writeFileSync(join(dir, "src", "lib", "table.txt"), "calibration row\n".repeat(200));
}

function publish(project, key, pubdir) {
  const r = mpyship("publish", project, "--key", key, "--out", pubdir, "--json");
  expect(r.status === 0, `mpyship publish failed: ${r.stdout}${r.stderr}`);
  return JSON.parse(r.stdout);
}

async function publishedByMpyship() {
  const work = tempDir("mpyship");
  const project = join(work, "project");
  const key = join(work, "fleet.key");
  const pubdir = join(work, "pub");
  const keygen = mpyship("keygen", "--out", key);
  expect(keygen.status === 0, `keygen: ${keygen.stderr}`);
  const publicKey = readFileSync(`${key}.pub`, "utf8").trim();

  writeProject(project, "1.0");
  expectEqual(publish(project, key, pubdir).sequence, 1, "first sequence");
  const verified = mpyship("verify", pubdir, "--pubkey", `${key}.pub`);
  expect(verified.status === 0, `verify PUBDIR: ${verified.stdout}${verified.stderr}`);

  const dev = await device({ pubdir, config: { PUBLIC_KEYS: [publicKey], BOARD: null } });
  expectEqual(dev.update(), "ok:updated", "update to 1.0 from mpyship's tree");
  expectEqual(dev.boot(), { slot: "a", version: "1.0", util: "util for 1.0" }, "boot 1.0 (.mpy compiled by mpyship)");
  expect(dev.confirm() === true, "confirm 1.0");

  writeProject(project, "2.0");
  expectEqual(publish(project, key, pubdir).sequence, 2, "second sequence");
  dev.writeTree(pubdir, k_srv);
  expectEqual(dev.update(), "ok:updated", "update to 2.0");
  expectEqual(dev.boot(), { slot: "b", version: "2.0", util: "util for 2.0" }, "boot 2.0");
  expect(dev.confirm() === true, "confirm 2.0");
  expectEqual(dev.update(), "ok:current", "nothing newer");

  // One changed byte in the signed part: `verify` and the device both refuse it.
  const manifest = join(pubdir, "stable", "manifest.json");
  const text = readFileSync(manifest, "utf8");
  writeFileSync(manifest, text.replace('"version":"2.0"', '"version":"2.1"'));
  const tampered = mpyship("verify", pubdir, "--pubkey", `${key}.pub`);
  expect(tampered.status === 1 && tampered.stdout.includes("bad signature"), `verify of a tampered tree: ${tampered.stdout}`);
  const stranger = mpyship("keygen", "--out", join(work, "other.key"));
  expect(stranger.status === 0, "second key");
  const wrongKey = mpyship("verify", pubdir, "--pubkey", join(work, "other.key.pub"));
  expect(wrongKey.status === 1 && wrongKey.stdout.includes("no signature by a trusted key"), `verify with another key: ${wrongKey.stdout}`);
  writeFileSync(manifest, text.replace(/"sequence":2/, '"sequence":3').replace('"version":"2.0"', '"version":"9"'));
  dev.writeTree(pubdir, k_srv);
  const refused = dev.update();
  expect(refused.startsWith("error:") && refused.includes("signature"), `device update of a tampered manifest: ${refused}`);
  return "keygen, publish x2, verify, update/boot/confirm and two refusals";
}

export const tests = binary ? [["mpyship publish -> device update", publishedByMpyship]] : [];
