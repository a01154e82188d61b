/**
 * `vdrm udev test` at the boundary a user sees: printed output and exit codes, the kernel's
 * example rule of the Device Wedging chapter and a rebind script doing what its script does, with their pitfalls.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT, vdrm } from "./_test_cli.js";

const FIX = join(ROOT, "fixtures/udev");
const XE = join(FIX, "xe-wedged.txt");
const PCI = "/devices/pci0000:00/0000:00:01.0/0000:01:00.0/0000:02:01.0/0000:03:00.0";

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "vdrm-udev-test-"));
}

/** An event file: xe's event with another WEDGED value and card. */
function eventFile(dir: string, wedged: string, card = "card0", devpath = `${PCI}/drm/${card}`): string {
  const text = readFileSync(XE, "utf8").replaceAll(`${PCI}/drm/card0`, devpath).replace("WEDGED=rebind,bus-reset", `WEDGED=${wedged}`);
  const path = join(dir, `${card}-${wedged}.txt`);
  writeFileSync(path, text);
  return path;
}

test("vdrm udev test: the kernel's example rule does not fire for xe's WEDGED=rebind,bus-reset (D9)", () => {
  const r = vdrm(["udev", "test", join(FIX, "drm-uapi-wedged-joined.rules"), "--event", XE, "--verbose"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /drm-uapi-wedged-joined\.rules:1: no match: ENV\{WEDGED\}=="rebind" \(value "rebind,bus-reset"\): does not match\n/);
  assert.match(r.stdout, /\nno rule matched\n/);
  assert.match(r.stdout, /\nrun: nothing\n/);
});

test("vdrm udev test: card[0-9] misses card10, and a fixed rule catches both", () => {
  const dir = scratch();
  const joined = join(FIX, "drm-uapi-wedged-joined.rules");
  const card10 = vdrm(["udev", "test", joined, "--event", eventFile(dir, "rebind", "card10"), "--verbose"]);
  assert.equal(card10.code, 0, card10.stderr);
  assert.match(card10.stdout, /no match: DEVPATH=="\*\/drm\/card\[0-9\]" \(value ".*\/drm\/card10"\): does not match/);
  assert.match(card10.stdout, /\nrun: nothing\n/);
  const card0 = vdrm(["udev", "test", joined, "--event", eventFile(dir, "rebind", "card0")]);
  assert.match(card0.stdout, new RegExp(`\nrun: '/path/to/rebind.sh ${PCI}/drm/card0'\n`));
  const fixed = join(dir, "99-wedged.rules");
  writeFileSync(fixed, 'ACTION=="change", SUBSYSTEM=="drm", ENV{WEDGED}=="*rebind*", KERNEL=="card[0-9]*", RUN+="/path/to/rebind.sh $env{DEVPATH}"\n');
  for (const [wedged, card] of [["rebind,bus-reset", "card0"], ["rebind", "card10"]] as const) {
    const r = vdrm(["udev", "test", fixed, "--event", eventFile(dir, wedged, card)]);
    assert.match(r.stdout, /99-wedged\.rules:1: matched: /);
    assert.match(r.stdout, new RegExp(`\nrun: '/path/to/rebind.sh ${PCI}/drm/${card}'\n`));
  }
});

test("vdrm udev test: pasted as the documentation prints it, the rule's RUN line runs for every event", () => {
  const dir = scratch();
  const net = join(dir, "net.txt");
  writeFileSync(net, "add@/devices/pci0000:00/0000:00:03.0/net/eth0|ACTION=add|DEVPATH=/devices/pci0000:00/0000:00:03.0/net/eth0|SUBSYSTEM=net|SEQNUM=9\n");
  const r = vdrm(["udev", "test", join(FIX, "drm-uapi-wedged.rules"), "--event", net]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /drm-uapi-wedged\.rules:1:1: warning: the rule has no effect/);
  assert.match(r.stdout, /drm-uapi-wedged\.rules:2: matched: RUN\+="\/path\/to\/rebind.sh \$env\{DEVPATH\}"\n/);
  assert.match(r.stdout, /\nrun: '\/path\/to\/rebind.sh \/devices\/pci0000:00\/0000:00:03.0\/net\/eth0'\n/);
});

/** A sysfs tree of xe's device under `dir`: drm/card0/device -> the PCI function, driver -> xe. */
function fakeSysfs(dir: string): { sys: string; drivers: string } {
  const sys = join(dir, "sys");
  const pci = join(sys, PCI);
  mkdirSync(join(pci, "drm/card0"), { recursive: true });
  const drivers = join(sys, "bus/pci/drivers/xe");
  mkdirSync(drivers, { recursive: true });
  for (const f of ["bind", "unbind"]) writeFileSync(join(drivers, f), "");
  symlinkSync("../../../0000:03:00.0", join(pci, "drm/card0/device"));
  symlinkSync("../../../../../../bus/pci/drivers/xe", join(pci, "driver"));
  writeFileSync(join(pci, "uevent"), "DRIVER=xe\nPCI_SLOT_NAME=0000:03:00.0\n");
  return { sys, drivers };
}

test("vdrm udev test --run: the documentation's rule, joined, runs the rebind script, which unbinds and binds the device", () => {
  const dir = scratch();
  const { sys, drivers } = fakeSysfs(dir);
  const script = join(FIX, "drm-uapi-rebind.sh");
  const rules = join(dir, "wedged.rules");
  writeFileSync(rules, readFileSync(join(FIX, "drm-uapi-wedged-joined.rules"), "utf8").replace("/path/to/rebind.sh", script));
  // The script reads /sys/$1 with $1 the event's DEVPATH: a DEVPATH of /..<dir>/sys/devices/...
  // lands in the fake tree, so the script runs unchanged and writes there, not in /sys.
  const event = eventFile(dir, "rebind", "card0", `/..${sys}${PCI}/drm/card0`);
  const r = vdrm(["udev", "test", rules, "--event", event, "--sysfs", join(dir, "nothing"), "--run"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`running: '${script} /\\.\\.${sys}${PCI}/drm/card0'\n  exit code 0\n`));
  assert.equal(readFileSync(join(drivers, "unbind"), "utf8"), "0000:03:00.0");
  assert.equal(readFileSync(join(drivers, "bind"), "utf8"), "0000:03:00.0");
});

test("vdrm udev test --run: no shell, the event's properties as environment, SIGKILL at the timeout", () => {
  const dir = scratch();
  const rules = join(dir, "env.rules");
  writeFileSync(rules, [
    'ENV{.hidden}="x", ENV{GREETING}="hello $kernel"',
    'RUN+="/usr/bin/env"',
    `RUN+="/bin/echo ; touch ${join(dir, "injected")}"`,
    'RUN+="/bin/sleep 5"',
  ].join("\n"));
  const r = vdrm(["udev", "test", rules, "--event", XE, "--run", "--timeout", "0.2"]);
  assert.equal(r.code, 0, r.stderr);
  const env = r.stdout.split("running: '/usr/bin/env'\n")[1]!.split("running:")[0]!;
  assert.match(env, /^ {2}exit code 0\n/);
  assert.match(env, /stdout: GREETING=hello card0\n/);
  assert.match(env, /stdout: WEDGED=rebind,bus-reset\n/);
  assert.match(env, /stdout: DEVNAME=\/dev\/dri\/card0\n/);
  assert.doesNotMatch(env, /hidden|stdout: PATH=/);
  assert.match(r.stdout, new RegExp(`stdout: ; touch ${join(dir, "injected")}\n`));
  assert.match(r.stdout, /running: '\/bin\/sleep 5'\n {2}killed by SIGKILL after the timeout\n/);
});

test("vdrm udev test: bad rules and garbage event files are exit code 2 with file, line and column", () => {
  const dir = scratch();
  const bad = join(dir, "bad.rules");
  writeFileSync(bad, '# comment\nSUBSYSTEM=="drm", ACTION="change", RUN+="/bin/true"\nKERNEL=="card*", GOTO="nowhere"\nENV{X}="$nope"\n');
  const r = vdrm(["udev", "test", bad, "--event", XE]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /bad\.rules:2:19: error: ACTION="change": invalid operator = for ACTION: it takes == or !=; the rule is ignored\n/);
  assert.match(r.stderr, /bad\.rules:3:1: error: GOTO="nowhere" has no matching LABEL further down in this file\n/);
  assert.match(r.stderr, /bad\.rules:4:1: error: ENV\{X\}="\$nope": invalid value "\$nope" for ENV \(char 1: unknown substitution "\$n"\); the rule is ignored\n/);
  assert.match(r.stderr, /3 errors in the rules; nothing was applied\n$/);
  assert.equal(r.stdout, "");
  const quote = join(dir, "quote.rules");
  writeFileSync(quote, 'KERNEL=="card0", \\\n  RUN+="/bin/true\n');
  const q = vdrm(["udev", "test", quote, "--event", XE]);
  assert.equal(q.code, 2);
  assert.match(q.stderr, /quote\.rules:2:8: error: the value has no closing double quote/);
  const garbage = join(dir, "garbage.bin");
  writeFileSync(garbage, Buffer.from("change@/devices/x\0ACTION=change\0junk\0"));
  const g = vdrm(["udev", "test", bad, "--event", garbage]);
  assert.equal(g.code, 2);
  assert.equal(g.stderr, `vdrm udev test: Cannot parse uevent in ${garbage}: field "junk" is not KEY=VALUE at byte 32\n`);
  const missing = vdrm(["udev", "test", bad, "--event", join(dir, "none.txt")]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read the event file .*none\.txt: no such file or directory \(ENOENT\)/);
});
