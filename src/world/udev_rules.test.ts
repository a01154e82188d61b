/**
 * The rules engine over the model's sysfs: a program of the model applies rules to the
 * model's own uevents, reading attributes and walking parents through its system calls.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyRules, parseRuleSet, syscallsDeviceTree, SyscallsUeventSource } from "../udev/mod.js";
import { ueventGet } from "../uapi/mod.js";
import { bind, unbind, userSession } from "./_testing.js";

test("applyRules() over the model's sysfs: the card's PCI parent, its driver and its attributes", () => {
  const s = userSession();
  const rules = parseRuleSet([["99-drm.rules", [
    'ACTION=="add", SUBSYSTEM=="drm", KERNEL=="card[0-9]*", SUBSYSTEMS=="pci", DRIVERS=="vdisp", RUN+="/recover %k $id $driver $attr{dev}"',
  ].join("\n")]]);
  assert.deepEqual(rules.diagnostics, []);
  const run = s.run(function* (sys) {
    const source = new SyscallsUeventSource(sys);
    yield* source.open();
    yield* unbind(sys);
    yield* bind(sys);
    const commands: string[] = [];
    for (;;) {
      const item = yield* source.next(0);
      if (item.kind !== "event") break;
      const ev = item.received.event;
      if (ev.action !== "add" || ueventGet(ev, "DEVNAME") !== "dri/card0") continue;
      const r = yield* applyRules(rules, ev, syscallsDeviceTree(sys));
      commands.push(...r.run.map((c) => c.command));
    }
    yield* source.close();
    return commands;
  });
  assert.deepEqual(run, ["/recover card0 0000:01:00.0 vdisp 226:0"]);
  assert.equal(s.shutdown(), 0);
});
