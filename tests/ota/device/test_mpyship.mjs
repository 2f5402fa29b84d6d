// The real host side against the device code: `mpyship keygen`, `mpyship publish` (which builds the project,
// so the app arrives as .mpy files compiled by mpyship) and `mpyship verify PUBDIR`, then update(), boot()
// and confirm() in the VM from the tree `publish` wrote. Runs when MPYSHIP_BINARY names the binary.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { device, expect, expectEqual, k_srv, tempDir } from "./harness.mjs";
import { newDevice } from "./vm.mjs";

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

// `mpyship init --ota` and `mpyship build`: the updater ships compiled (lib/mpyship_ota/*.mpy, made by
// mpyship) with its _config from [ota]; the board runs main.py as written by init, then updates to a release
// that `publish` signed with the key `init` made.
async function initOtaProject() {
  const work = tempDir("init");
  const project = join(work, "project");
  const url = "http://ota.test/fleet";
  const init = mpyship("init", project, "--ota", "--ota-url", url);
  expect(init.status === 0, `init --ota: ${init.stdout}${init.stderr}`);
  const build = mpyship("build", project);
  expect(build.status === 0, `build: ${build.stdout}${build.stderr}`);
  const pubdir = join(work, "pub");
  writeFileSync(join(project, "src", "app.py"), readFileSync(join(project, "src", "app.py"), "utf8") + "RELEASE = 2\n");
  const published = mpyship("publish", project, "--key", join(project, "mpyship-ota.key"), "--out", pubdir);
  expect(published.status === 0, `publish: ${published.stdout}${published.stderr}`);

  // The board: the first build's files (as deploy would put them) in /flash; no source package anywhere.
  const dev = await newDevice({});
  dev.run("import os\nfor n in os.listdir('/lib/mpyship_ota'):\n    os.remove('/lib/mpyship_ota/' + n)\nos.rmdir('/lib/mpyship_ota')");
  const firstBuild = tempDir("first");
  const copy = spawnSync("cp", ["-r", join(project, "build", "mpy"), firstBuild]);
  expect(copy.status === 0, "copy the build");
  dev.writeTree(join(firstBuild, "mpy"), "/flash");
  dev.writeTree(pubdir, "/srv/fleet");
  const boot = dev.eval([
    "import os, sys",
    "os.chdir('/flash')",
    "sys.path.append('/flash/lib')",
    "exec(open('main.py').read())",
    "import mpyship_ota, device_lib",
    "result = [mpyship_ota.__file__, mpyship_ota.status()['active']]",
  ].join("\n"));
  expect(boot[0].endsWith("/lib/mpyship_ota/__init__.mpy"), `the updater runs compiled: ${boot[0]}`);
  const updated = dev.eval(`T = device_lib.FileTransport(${JSON.stringify(url)}, '/srv/fleet')\nresult = mpyship_ota.update(transport=T)`);
  expectEqual(updated, "updated", "update from the tree publish wrote");
  const after = dev.eval([
    "device_lib.forget_app(['app'])",
    "slot = mpyship_ota.boot()",
    "import app",
    "app.main()",
    "result = [slot, app.RELEASE, mpyship_ota.status()['active']]",
  ].join("\n"));
  expectEqual(after, ["a", 2, "a"], "the new release runs, and confirms itself");
  return "init --ota, build (compiled updater), publish, update, boot, confirm";
}

export const tests = binary
  ? [["mpyship publish -> device update", publishedByMpyship], ["mpyship init --ota -> compiled updater", initOtaProject]]
  : [];
