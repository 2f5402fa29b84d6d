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
import { loadMicroPython } from "@micropython/micropython-webassembly-pyscript";
import fs from "node:fs";
import net from "node:net";
import readline from "node:readline";

const k_ctrl_a = 0x01, k_ctrl_b = 0x02, k_ctrl_e = 0x05;

let socket = null;
const mp = await loadMicroPython({
  linebuffer: false,
  stdout: (bytes) => {
    socket?.write(Buffer.from(bytes));
    pollInterrupt();
  },
  stderr: (bytes) => socket?.write(Buffer.from(bytes)),
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

function receive(byte) {
  if (held.length > 0 || (raw && byte === k_ctrl_e)) {
    held.push(byte);
    const request = [k_ctrl_e, 0x41, 0x01];
    if (held.every((b, i) => b === request[i])) {
      if (held.length === 3) {
        socket?.write(Buffer.from([0x52, 0x00]));
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
  let budget = dropAfter;
  dropAfter = -1;
  conn.on("data", (data) => {
    for (const byte of data) {
      if (budget === 0) {
        conn.destroy();
        return;
      }
      if (budget > 0) --budget;
      receiveAll([byte]);
    }
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
