// A stand-in for `mpyship publish` for the device tests: writes a published tree exactly as
// docs/ota.md (format 1) describes it, from a folder of files. The tests only read the PUBDIR it
// leaves, so the real publisher can take its place (see publisher() in harness.mjs).
//
//   node fixture_publish.mjs keygen KEY.pem            writes a private key, prints the public one
//   node fixture_publish.mjs publish --src DIR --pubdir DIR --key KEY.pem --sequence N
//        --version V [--channel stable] [--board NAME] [--expires UNIX] [--timestamp ISO]
import crypto from "node:crypto";
import zlib from "node:zlib";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const k_context = Buffer.from("mpyship-ota-v1\n");
export const k_default_abi = { header: "M", version: 6, sub_version: 3, small_int_bits: 31 };

const utf8Compare = (a, b) => Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));

// Canonical JSON (docs/ota.md): no whitespace, keys sorted by UTF-8 bytes, integers only,
// strings escaping only '"', '\' and U+0000..U+001F (as \u00xx, lowercase).
export function canonicalJson(value) {
  if (value === null) return "null";
  if (value === true || value === false) return String(value);
  if (typeof value === "number") {
    if (!Number.isSafeInteger(value)) throw new Error(`not an integer: ${value}`);
    return String(value);
  }
  if (typeof value === "string") {
    let out = '"';
    for (const ch of value) {
      const code = ch.codePointAt(0);
      if (ch === '"') out += '\\"';
      else if (ch === "\\") out += "\\\\";
      else if (code < 0x20) out += "\\u00" + code.toString(16).padStart(2, "0");
      else out += ch;
    }
    return out + '"';
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort(utf8Compare);
  return `{${keys.map((k) => `${canonicalJson(k)}:${canonicalJson(value[k])}`).join(",")}}`;
}

export const sha256 = (bytes) => crypto.createHash("sha256").update(bytes).digest();

export function rawPublicKey(privateKey) {
  const jwk = crypto.createPublicKey(privateKey).export({ format: "jwk" });
  return Buffer.from(jwk.x, "base64url");
}

export function publicKeyText(privateKey) {
  return "ed25519:" + rawPublicKey(privateKey).toString("base64");
}

export function keyId(privateKey) {
  return sha256(rawPublicKey(privateKey)).subarray(0, 8).toString("hex");
}

export function makeKey() {
  return crypto.generateKeyPairSync("ed25519").privateKey;
}

// The signed envelope: {"signed":<S>,"signatures":[...]} and a newline.
export function envelope(signedText, keys) {
  const message = Buffer.concat([k_context, sha256(Buffer.from(signedText, "utf8"))]);
  const signatures = keys.map((key) =>
    canonicalJson({ keyid: keyId(key), sig: crypto.sign(null, message, key).toString("base64") }),
  );
  return `{"signed":${signedText},"signatures":[${signatures.join(",")}]}\n`;
}

// Every file under dir as [relative path with "/", Buffer], sorted by UTF-8 bytes of the path.
export function listFiles(dir, prefix = "") {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...listFiles(join(dir, entry.name), rel));
    else out.push([rel, readFileSync(join(dir, entry.name))]);
  }
  return out.sort((a, b) => utf8Compare(a[0], b[0]));
}

// Publishes the files of `src` as release `sequence` of `channel` into `pubdir`, signed by
// `keys` (private KeyObjects). Returns {manifest (Buffer), release (object), objects}.
export function publish({
  src,
  pubdir,
  keys,
  sequence,
  version,
  channel = "stable",
  target = "micropython",
  mpyAbi = k_default_abi,
  board,
  expires,
  timestamp = "2026-01-01T00:00:00Z",
}) {
  mkdirSync(join(pubdir, "objects"), { recursive: true });
  mkdirSync(join(pubdir, channel, "releases"), { recursive: true });
  const files = [];
  for (const [path, bytes] of listFiles(src)) {
    const sha = sha256(bytes).toString("hex");
    const entry = { path, download_path: `objects/${sha}`, sha256: sha, size: bytes.length };
    writeFileSync(join(pubdir, "objects", sha), bytes);
    // wbits 10: a 1 KiB window, so that the device inflates with 1 KiB of RAM.
    const z = zlib.deflateSync(bytes, { windowBits: 10, level: 9 });
    if (z.length < bytes.length) {
      writeFileSync(join(pubdir, "objects", `${sha}.z`), z);
      entry.z = z.length;
    }
    files.push(entry);
  }
  const release = {
    format: 1,
    version,
    build_timestamp: timestamp,
    sequence,
    channel,
    target,
    mpy_abi: mpyAbi,
    board,
    expires,
    files,
  };
  const manifest = Buffer.from(envelope(canonicalJson(release), keys), "utf8");
  writeFileSync(join(pubdir, channel, "manifest.json"), manifest);
  writeFileSync(join(pubdir, channel, "releases", `${sequence}.json`), manifest);
  // mip's package.json, for a first install with `mpremote mip install URL/package.json`.
  const mip = { urls: files.map((f) => [f.path, `../${f.download_path}`]), version, deps: [] };
  writeFileSync(join(pubdir, channel, "package.json"), JSON.stringify(mip, null, 1) + "\n");
  return { manifest, release, files };
}

function cli(argv) {
  const [command, ...rest] = argv;
  if (command === "keygen" && rest.length === 1) {
    const key = makeKey();
    writeFileSync(rest[0], key.export({ format: "pem", type: "pkcs8" }));
    console.log(publicKeyText(key));
    return 0;
  }
  if (command !== "publish") {
    console.error("usage: fixture_publish.mjs keygen KEY.pem | publish --src DIR --pubdir DIR --key KEY.pem --sequence N --version V [--channel C] [--board B] [--expires T] [--timestamp ISO]");
    return 2;
  }
  const opt = {};
  for (let i = 0; i < rest.length; i += 2) opt[rest[i].replace(/^--/, "")] = rest[i + 1];
  const key = crypto.createPrivateKey(readFileSync(opt.key));
  publish({
    src: opt.src,
    pubdir: opt.pubdir,
    keys: [key],
    sequence: Number(opt.sequence),
    version: opt.version,
    channel: opt.channel,
    board: opt.board,
    expires: opt.expires === undefined ? undefined : Number(opt.expires),
    timestamp: opt.timestamp,
  });
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  process.exitCode = cli(process.argv.slice(2));
}
export const here = dirname(fileURLToPath(import.meta.url));
