/**
 * /dev/kmsg as the kernel log of a wedged device's telemetry (config `kernelLog: kmsg`), read
 * from a fake /dev/kmsg file under the /dev root: the device's records (by their DEVICE key
 * or by its bus address in the message) are saved as dmesg prints them, the others are not.
 */
import assert from "node:assert/strict";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { runSync } from "../udev/mod.js";
import { configSchema } from "./config.js";
import { parseConfig } from "./config_load.js";
import { RecoveryDaemon } from "./daemon.js";
import { BUS_ID, CARD0, fakeMachine, wedgedText } from "./fake_machine.js";
import type { TelemetryStore } from "./host.js";
import { deviceRecords, formatKmsg, parseKmsg } from "./kmsg.js";
import { testHost } from "./_test_host.js";

const KMSG = [
  "6,1001,265000100,-;pci 0000:00:02.0: [8086:a7a0] type 00 class 0x030000",
  " SUBSYSTEM=pci",
  " DEVICE=+pci:0000:00:02.0",
  "3,1002,265802982,-;xe 0000:03:00.0: [drm] *ERROR* GT0: reset failed (-ETIMEDOUT)",
  " SUBSYSTEM=pci",
  ` DEVICE=+pci:${BUS_ID}`,
  "4,1003,265802990,-;[drm] device wedged, needs recovery",
  ` DEVICE=+pci:${BUS_ID}`,
  "garbage without a header",
  "12,1004,265900000,c;amdgpu 0000:0b:00.0: GPU reset begin!",
  "",
].join("\n");

test("kmsg records: level, sequence, time, message and dictionary; the device's by DEVICE or address", () => {
  const records = parseKmsg(KMSG);
  assert.deepEqual(records.map((r) => [r.level, r.seq, r.usec]), [[6, 1001, 265000100], [3, 1002, 265802982], [4, 1003, 265802990], [4, 1004, 265900000]]);
  assert.equal(records[1]!.dict.get("SUBSYSTEM"), "pci");
  assert.deepEqual(deviceRecords(records, BUS_ID).map(formatKmsg), [
    "[  265.802982] xe 0000:03:00.0: [drm] *ERROR* GT0: reset failed (-ETIMEDOUT)",
    "[  265.802990] [drm] device wedged, needs recovery",
  ]);
});

function telemetry(): TelemetryStore & { readonly saved: Map<string, string> } {
  const saved = new Map<string, string>();
  return {
    saved,
    *save(dir, name, data) {
      saved.set(`${dir.replace(/-\d+$/, "")}/${name}`, typeof data === "string" ? data : new TextDecoder().decode(data));
      return { ok: true, path: `/t/${dir}/${name}` };
    },
  };
}

test("WEDGED=none with kernelLog: kmsg saves the device's kernel log lines read from <dev>/kmsg", () => {
  const m = fakeMachine();
  writeFileSync(join(m.dev, "kmsg"), KMSG);
  const store = telemetry();
  const h = { ...testHost(m, { events: [{ at: 0, text: wedgedText(CARD0, "none") }], runFor: 1000 }), telemetry: store };
  const config = configSchema.parse({ sysfs: m.sys, procfs: m.proc, dev: m.dev, kernelLog: "kmsg" });
  assert.equal(runSync(new RecoveryDaemon(h, config, "apply").run()).reason, "end");
  assert.equal(store.saved.get(`${BUS_ID}/kernel.log`),
    "[  265.802982] xe 0000:03:00.0: [drm] *ERROR* GT0: reset failed (-ETIMEDOUT)\n[  265.802990] [drm] device wedged, needs recovery\n");
  assert.ok(store.saved.has(`${BUS_ID}/devcd1.data`));
  assert.deepEqual(h.runner.runs, [], "no command is run for the kernel log");
});

test("kernelLog: kmsg without a readable <dev>/kmsg: a warning, the devcoredumps still saved", () => {
  const m = fakeMachine();
  rmSync(join(m.dev, "kmsg"), { force: true });
  const store = telemetry();
  const h = { ...testHost(m, { events: [{ at: 0, text: wedgedText(CARD0, "none") }], runFor: 1000 }), telemetry: store };
  const config = configSchema.parse({ sysfs: m.sys, procfs: m.proc, dev: m.dev, kernelLog: "kmsg" });
  runSync(new RecoveryDaemon(h, config, "apply").run());
  assert.ok(h.logs.some((r) => r.msg === "cannot read the kernel log" && r["kmsg"] === `${m.dev}/kmsg`));
  assert.deepEqual([...store.saved.keys()], [`${BUS_ID}/devcd1.data`]);
});

test("a kernelLog other than the word kmsg or an argv list is a located configuration error", () => {
  const r = parseConfig("kernelLog: dmesg\n", "c.yaml");
  assert.ok(!r.ok);
  assert.deepEqual(r.errors.map((e) => `${e.line}:${e.col} ${e.message.split(":")[0]}`), ["1:12 kernelLog"]);
});
