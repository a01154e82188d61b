/**
 * The udev layer's uevent source inside the model: a program reads the model's socket through
 * `Syscalls`, gets a rescan request first, then the kernel's events parsed from their datagram
 * bytes, then a timeout when nothing more comes.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { encodeKernelUevent, ueventGet } from "../uapi/mod.js";
import { parseKernelDatagram, RescanningSource, SyscallsUeventSource, type SourceItem } from "../udev/mod.js";
import { unbind, userSession } from "./_testing.js";

test("SyscallsUeventSource: a rescan request, then the unbind's uevents as their bytes parse, then a timeout", () => {
  const s = userSession();
  const items = s.run(function* (sys) {
    const source = new RescanningSource(new SyscallsUeventSource(sys));
    const seen: SourceItem[] = [yield* source.next(0)];
    yield* unbind(sys);
    for (;;) {
      const item = yield* source.next(0);
      seen.push(item);
      if (item.kind !== "event") break;
    }
    yield* source.close();
    return seen;
  });
  assert.equal(items[0]?.kind, "rescan");
  assert.equal(items.at(-1)?.kind, "timeout");
  const events = items.filter((i) => i.kind === "event").map((i) => i.received.event);
  const log = s.world.kernel.uevents.log.map((l) => l.ev);
  assert.deepEqual(events, log.slice(-events.length));
  assert.deepEqual(events.map((e) => `${e.action} ${ueventGet(e, "SUBSYSTEM")}`), ["remove drm", "remove drm", "remove drm", "unbind pci"]);
  for (const e of events) assert.deepEqual(parseKernelDatagram(encodeKernelUevent(e)), e);
  assert.equal(s.shutdown(), 0);
});
