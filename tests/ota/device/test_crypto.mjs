// SHA-512 and Ed25519 of mpyship_ota, run in the VM, against published vectors and node's crypto.
import crypto from "node:crypto";
import { newDevice } from "./vm.mjs";
import { expect, expectEqual } from "./harness.mjs";

const hex = (b) => Buffer.from(b).toString("hex");

// FIPS 180-4 examples (and the classic million-'a' message).
const k_sha512_vectors = [
  ["", "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"],
  ["abc", "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"],
  ["abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
    "8e959b75dae313da8cf4f72814fc143f8f7779c6eb9f7fa17299aeadb6889018501d289e4900f7e4331b99dec4b5433ac7d329eeb6dd26545e96e55b874be909"],
];
const k_million_a = "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b";

// RFC 8032, section 7.1: TEST 1, 2 and 3 (public key, message, signature).
const k_rfc8032 = [
  ["d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
    "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"],
  ["3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
    "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"],
  ["fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025", "af82",
    "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"],
];
const k_L = (1n << 252n) + 27742317777372353535851937790883648493n;

// Python helper in the VM: hashes hex input, optionally fed in pieces of `piece` bytes.
const k_setup = `
from binascii import hexlify, unhexlify
from mpyship_ota._sha512 import sha512
from mpyship_ota import _ed25519
def sha512_hex(data_hex, piece=0):
    data = unhexlify(data_hex)
    h = sha512()
    if piece:
        for i in range(0, len(data), piece):
            h.update(data[i:i + piece])
    else:
        h.update(data)
    return hexlify(h.digest()).decode()
def verify_hex(pk, msg, sig):
    return _ed25519.verify(unhexlify(pk), unhexlify(msg), unhexlify(sig))
`;

async function cryptoDevice() {
  const dev = await newDevice();
  dev.run(k_setup);
  return dev;
}

const pyStr = (s) => JSON.stringify(s);

async function sha512Vectors() {
  const dev = await cryptoDevice();
  for (const [message, digest] of k_sha512_vectors) {
    expectEqual(crypto.createHash("sha512").update(message).digest("hex"), digest, `node's SHA-512 of ${pyStr(message)}`);
    const got = dev.eval(`result = sha512_hex(${pyStr(hex(Buffer.from(message)))})`);
    expectEqual(got, digest, `SHA-512 of ${pyStr(message)}`);
  }
  // A million 'a' in 10 000-byte pieces: 7813 blocks through the pure-Python compression.
  const t0 = Date.now();
  // One run per piece: this VM collects garbage only between runs, and the pure-Python rounds
  // allocate ~14 MB per piece, so one run of all 100 would grow the heap to 1.4 GB.
  dev.run(`h = sha512()\nblock = b"a" * 10000`);
  for (let i = 0; i < 100; i++) dev.run("h.update(block)");
  const got = dev.eval("result = hexlify(h.digest()).decode()");
  expectEqual(got, k_million_a, "SHA-512 of a million 'a'");
  return `3 FIPS vectors + a million 'a' (${Date.now() - t0} ms)`;
}

async function sha512Random() {
  const dev = await cryptoDevice();
  // Lengths around the padding boundaries (111/112 bytes, 128-byte blocks) plus random ones.
  const lengths = [0, 1, 55, 56, 63, 64, 110, 111, 112, 113, 127, 128, 129, 239, 240, 255, 256, 257, 1000];
  for (let i = 0; i < 12; i++) lengths.push(crypto.randomInt(0, 2000));
  for (const length of lengths) {
    const data = crypto.randomBytes(length);
    const want = crypto.createHash("sha512").update(data).digest("hex");
    const piece = crypto.randomInt(0, 200);
    const got = dev.eval(`result = sha512_hex(${pyStr(hex(data))}, ${piece})`);
    expectEqual(got, want, `SHA-512 of ${length} random bytes (pieces of ${piece})`);
  }
  return `${lengths.length} random inputs match node's crypto`;
}

async function ed25519Rfc() {
  const dev = await cryptoDevice();
  for (const [pk, msg, sig] of k_rfc8032) {
    expect(dev.eval(`result = verify_hex(${pyStr(pk)}, ${pyStr(msg)}, ${pyStr(sig)})`) === true, `RFC 8032 vector with message ${pyStr(msg)} rejected`);
    // The same vector with one bit of the message flipped (or a byte added to an empty one).
    const bad = msg ? (parseInt(msg.slice(0, 2), 16) ^ 1).toString(16).padStart(2, "0") + msg.slice(2) : "00";
    expect(dev.eval(`result = verify_hex(${pyStr(pk)}, ${pyStr(bad)}, ${pyStr(sig)})`) === false, `RFC 8032 vector accepted for message ${bad}`);
  }
  return "RFC 8032 7.1 TEST 1, 2, 3 verify; altered messages do not";
}

// Signatures made by node's crypto for random keys and messages (1023 bytes among them), and
// every way of spoiling one.
async function ed25519Node() {
  const dev = await cryptoDevice();
  let good = 0;
  let refused = 0;
  const lengths = [0, 1, 47, 64, 1023, ...Array.from({ length: 5 }, () => crypto.randomInt(0, 600))];
  for (const length of lengths) {
    const key = crypto.generateKeyPairSync("ed25519").privateKey;
    const pk = Buffer.from(crypto.createPublicKey(key).export({ format: "jwk" }).x, "base64url");
    const msg = crypto.randomBytes(length);
    const sig = crypto.sign(null, msg, key);
    const check = (p, m, s) => dev.eval(`result = verify_hex(${pyStr(hex(p))}, ${pyStr(hex(m))}, ${pyStr(hex(s))})`);
    expect(check(pk, msg, sig) === true, `node signature over ${length} bytes rejected`);
    good++;
    const flip = (buf, i) => {
      const c = Buffer.from(buf);
      c[i] ^= 1 << crypto.randomInt(0, 8);
      return c;
    };
    const otherPk = Buffer.from(crypto.createPublicKey(crypto.generateKeyPairSync("ed25519").privateKey).export({ format: "jwk" }).x, "base64url");
    // S + L: the same point equation, but a non-canonical S that RFC 8032 says to reject.
    const s = BigInt("0x" + Buffer.from(sig.subarray(32)).reverse().toString("hex")) + k_L;
    const sPlusL = Buffer.concat([sig.subarray(0, 32), Buffer.from(s.toString(16).padStart(64, "0"), "hex").reverse()]);
    const spoiled = [
      ["message bit", pk, length ? flip(msg, crypto.randomInt(0, length)) : Buffer.from([0]), sig],
      ["R bit", pk, msg, flip(sig, crypto.randomInt(0, 32))],
      ["S bit", pk, msg, flip(sig, crypto.randomInt(32, 64))],
      ["other key", otherPk, msg, sig],
      ["S + L", pk, msg, sPlusL],
      ["short signature", pk, msg, sig.subarray(0, 63)],
    ];
    for (const [what, p, m, sg] of spoiled) {
      expect(check(p, m, sg) === false, `${what}: spoiled signature over ${length} bytes accepted`);
      refused++;
    }
  }
  return `${good} node signatures verify (lengths ${lengths.join(",")}), ${refused} spoiled ones refused`;
}

export const tests = [
  ["sha512: FIPS 180-4 vectors", sha512Vectors],
  ["sha512: random inputs vs node crypto", sha512Random],
  ["ed25519: RFC 8032 7.1 vectors", ed25519Rfc],
  ["ed25519: node crypto signatures, tampered ones refused", ed25519Node],
];
