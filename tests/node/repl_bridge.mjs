// Serves the REPL of one official MicroPython WebAssembly VM on a loopback TCP port, for the serial deploy
// tests: socat bridges the port to a pseudo-terminal, so mpyship talks to a real MicroPython raw REPL.
//   node repl_bridge.mjs            prints "port N" on stdout, then serves one connection at a time
// (a new connection replaces the current one).
// The VM (and its in-memory filesystem) outlives connections: closing the link, like unplugging a USB
// cable, leaves the device as it was. The VM starts in /flash, like a pyboard.
//   node repl_bridge.mjs --no-hashlib   the same VM, but `import hashlib` fails, like a port built without it
//                                       (unless the global _test_hashlib is set: the tests' own checks)
// Control lines on stdin (tests only): "drop N" closes the next connection after N bytes received from it;
// "symlink TARGET PATH" makes a symbolic link in the VM's file system.
// A running program blocks the event loop, so bytes from the client would wait until it ends; a board's UART
// interrupt sees Ctrl-C at once. So whenever the program prints, the bridge reads what the client has sent
// straight from the socket: Ctrl-C raises the VM's own KeyboardInterrupt (mp_sched_keyboard_interrupt), other
// bytes are kept, in order, for when the program has ended.
// This VM blocks when asked for raw-paste, so the bridge answers the request (\x05A\x01 in raw mode) with
// "R\x00" (understood, not supported) itself: clients then use plain raw mode.
//   node repl_bridge.mjs --raw-paste    the bridge plays the device's side of raw-paste as MicroPython's
//                                       docs/reference/repl.rst describes it: "R\x01", a window increment of
//                                       128 (2 bytes LE) and one more grant (\x01) at once, then one \x01 for
//                                       every 128 bytes consumed; at the client's \x04 it answers \x04 and runs
//                                       the collected code in the VM's raw REPL (whose "OK" is not passed on).
//   node repl_bridge.mjs --baud N       paced: each direction carries at most N/10 bytes per second, like a
//                                       UART at N baud with 8N1 framing, so throughput is measured against a
//                                       real link rate. Bytes that arrive while a program runs wait, as in a
//                                       board's receive buffer. Without --baud the bridge is as fast as it can.
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";
import fs from "node:fs";
import net from "node:net";
import readline from "node:readline";

const k_ctrl_a = 0x01, k_ctrl_b = 0x02, k_ctrl_d = 0x04, k_ctrl_e = 0x05;

let socket = null;
const rawPaste = process.argv.includes("--raw-paste");
const baudArg = process.argv.indexOf("--baud");
const bytesPerSecond = baudArg > 0 ? Number(process.argv[baudArg + 1]) / 10 : 0;

// One direction of a paced link: bytes leave in order, each 1/rate seconds after the one before, never
// before they were handed over. Kept as chunks so a long transfer costs no per-byte bookkeeping.
class PacedLink {
  constructor(rate) {
    this.rate = rate;
    this.chunks = [];
    this.free = 0; // when the last queued byte has gone
  }
  push(buf, now) {
    const start = Math.max(now, this.free);
    this.chunks.push({ buf, start, used: 0 });
    this.free = start + (buf.length * 1000) / this.rate;
  }
  take(now) {
    const out = [];
    while (this.chunks.length > 0) {
      const c = this.chunks[0];
      const due = Math.min(c.buf.length, Math.floor(((now - c.start) * this.rate) / 1000));
      if (due > c.used) {
        out.push(c.buf.subarray(c.used, due));
        c.used = due;
      }
      if (c.used < c.buf.length) break;
      this.chunks.shift();
    }
    return Buffer.concat(out);
  }
  next() {
    if (this.chunks.length === 0) return Infinity;
    const c = this.chunks[0];
    return c.start + ((c.used + 1) * 1000) / this.rate;
  }
  clear() {
    this.chunks = [];
    this.free = 0;
  }
}

const toHost = new PacedLink(bytesPerSecond || 1);
const fromHost = new PacedLink(bytesPerSecond || 1);
let pumpTimer = null;

// Everything the device sends goes through here.
function deviceWrite(bytes) {
  if (!bytesPerSecond) {
    socket?.write(Buffer.from(bytes));
    return;
  }
  toHost.push(Buffer.from(bytes), performance.now());
  schedulePump();
}

function schedulePump() {
  if (pumpTimer) return;
  const at = Math.min(toHost.next(), fromHost.next());
  if (at === Infinity) return;
  pumpTimer = setTimeout(pump, Math.max(0, at - performance.now()));
}

function pump() {
  pumpTimer = null;
  const out = toHost.take(performance.now());
  if (out.length > 0) socket?.write(out);
  for (const byte of fromHost.take(performance.now())) receive(byte);
  schedulePump();
}

// The VM's raw REPL answers a program's Ctrl-D with "OK"; after a raw-paste the client expects none.
let swallowOk = "";
function fromVm(bytes) {
  let buf = Buffer.from(bytes);
  while (swallowOk.length > 0 && buf.length > 0 && buf[0] === swallowOk.charCodeAt(0)) {
    swallowOk = swallowOk.slice(1);
    buf = buf.subarray(1);
  }
  if (buf.length > 0) deviceWrite(buf);
}

const mp = await loadMicroPython({
  linebuffer: false,
  stdout: (bytes) => {
    fromVm(bytes);
    pollInterrupt();
  },
  stderr: (bytes) => fromVm(bytes),
});
mp.runPython("import os\nos.mkdir('/flash')\nos.chdir('/flash')");
if (process.argv.includes("--no-hashlib")) {
  mp.runPython([
    "import builtins",
    "def _no_hashlib(name, *args, _real=builtins.__import__):",
    "    if name in ('hashlib', 'uhashlib') and not globals().get('_test_hashlib'):",
    "        raise ImportError('no module named ' + repr(name))",
    "    return _real(name, *args)",
    "builtins.__import__ = _no_hashlib",
  ].join("\n"));
}
mp.replInit();

// Raw mode starts at Ctrl-A and ends at Ctrl-B. A raw-paste request is three bytes, so a Ctrl-E is held
// until the next two show whether it is one.
let raw = false;
let held = [];
let dropAfter = -1;

function feed(byte) {
  if (byte === k_ctrl_a) raw = true;
  else if (byte === k_ctrl_b) raw = false;
  mp.replProcessChar(byte);
}

// Raw-paste reception (--raw-paste): the code so far and the bytes consumed since the last grant.
const k_window = 128;
let paste = null;

function pasteByte(byte) {
  if (byte === k_ctrl_d) {
    const code = paste.code;
    paste = null;
    deviceWrite([k_ctrl_d]); // received and compiled: now it runs
    swallowOk = "OK";
    for (const b of code) mp.replProcessChar(b);
    mp.replProcessChar(k_ctrl_d);
    swallowOk = "";
    return;
  }
  paste.code.push(byte);
  if (++paste.consumed === k_window) {
    paste.consumed = 0;
    deviceWrite([0x01]);
  }
}

function answerPasteRequest() {
  if (!rawPaste) {
    deviceWrite([0x52, 0x00]);
    return;
  }
  deviceWrite([0x52, 0x01, k_window & 0xff, k_window >> 8, 0x01]);
  paste = { code: [], consumed: 0 };
}

function receive(byte) {
  if (paste) {
    pasteByte(byte);
    return;
  }
  if (held.length > 0 || (raw && byte === k_ctrl_e)) {
    held.push(byte);
    const request = [k_ctrl_e, 0x41, 0x01];
    if (held.every((b, i) => b === request[i])) {
      if (held.length === 3) {
        answerPasteRequest();
        held = [];
      }
      return;
    }
    const bytes = held;
    held = [];
    bytes.forEach(feed);
    return;
  }
  feed(byte);
}

const k_ctrl_c = 0x03;
let pending = []; // bytes read during a program, fed once it has ended

function pollInterrupt() {
  const fd = socket?._handle?.fd;
  if (typeof fd !== "number" || fd < 0) return;
  const buf = Buffer.alloc(256);
  let n = 0;
  try {
    n = fs.readSync(fd, buf, 0, buf.length, null);
  } catch {
    return; // EAGAIN: nothing sent
  }
  for (const byte of buf.subarray(0, n)) {
    if (byte === k_ctrl_c) mp._module._mp_sched_keyboard_interrupt();
    else if (bytesPerSecond) fromHost.push(Buffer.from([byte]), performance.now());
    else pending.push(byte);
  }
}

function receiveAll(data) {
  for (const byte of data) {
    receive(byte);
    while (pending.length > 0) receive(pending.shift());
  }
}

// A new connection replaces the old one (whose close may still be on its way), like replugging a cable.
const server = net.createServer((conn) => {
  socket?.destroy();
  socket = conn;
  held = [];
  pending = [];
  paste = null;
  toHost.clear();
  fromHost.clear();
  let budget = dropAfter;
  dropAfter = -1;
  conn.on("data", (data) => {
    if (bytesPerSecond && budget < 0) {
      fromHost.push(data, performance.now());
      schedulePump();
      return;
    }
    for (const byte of data) {
      if (budget === 0) {
        conn.destroy();
        return;
      }
      if (budget > 0) --budget;
      if (bytesPerSecond) fromHost.push(Buffer.from([byte]), performance.now());
      else receiveAll([byte]);
    }
    schedulePump();
  });
  conn.on("close", () => {
    if (socket === conn) socket = null;
  });
  conn.on("error", () => {});
});

server.listen(0, "127.0.0.1", () => {
  console.log(`port ${server.address().port}`);
});

readline.createInterface({ input: process.stdin }).on("line", (line) => {
  const drop = /^drop (\d+)$/.exec(line.trim());
  if (drop) dropAfter = Number(drop[1]);
  // A symbolic link in the VM's file system (Python there cannot make one): a dangling one is an entry
  // that lists but cannot be stat'ed, as a damaged file system's can be.
  const link = /^symlink (\S+) (\S+)$/.exec(line.trim());
  if (link) mp.FS.symlink(link[1], link[2]);
});
// The test that started the bridge closed our stdin or went away: stop.
process.stdin.on("end", () => process.exit(0));
