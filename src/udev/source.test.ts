import assert from "node:assert/strict";
import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { test } from "node:test";
import { fail, ok, type Call, type Fd, type Syscalls, type SysResult, type Uevent } from "../uapi/mod.js";
import { runCall } from "./call.js";
import { wedgedEvent } from "./_test_events.js";
import { RescanningSource, type SourceItem, type UeventSource } from "./source.js";
import { RecordingUeventSource } from "./source_recording.js";
import { SyscallsUeventSource } from "./source_syscalls.js";
import { UdevadmUeventSource } from "./source_udevadm.js";
import { formatUdevadmEvent } from "./udevadm_text.js";

/** "event 5208", "rescan seqnum-gap: ...", "error: ...", "timeout", "end: ..." */
function brief(item: SourceItem): string {
  switch (item.kind) {
    case "event": return `event ${item.received.event.env.find(([k]) => k === "SEQNUM")?.[1] ?? "-"}`;
    case "rescan": return `rescan ${item.reason}: ${item.detail}`;
    case "error": return `error: ${item.error.message}`;
    case "timeout": return "timeout";
    case "end": return `end: ${item.detail}`;
  }
}

async function take(source: UeventSource, n: number, timeoutMs = 2000): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(brief(await runCall(source.next(timeoutMs))));
  return out;
}

const fixture = (seqnum: number): string => `change@/devices/x/drm/card0|ACTION=change|DEVPATH=/devices/x/drm/card0|SUBSYSTEM=drm|SEQNUM=${seqnum}\n`;

test("RecordingUeventSource reads lines as they come, names bad ones, and ends for good", async () => {
  const input = new PassThrough();
  const source = new RecordingUeventSource(input, "stdin");
  input.write(fixture(1));
  assert.deepEqual(await take(source, 1), ["event 1"]);
  assert.deepEqual(await take(source, 1, 20), ["timeout"]);
  input.end(`${fixture(2)}add@/x|oops\n`);
  assert.deepEqual(await take(source, 4), [
    "event 2",
    'error: Cannot parse uevent in stdin: field "oops" is not KEY=VALUE at line 3, column 8',
    "end: end of stdin",
    "end: end of stdin",
  ]);
});

test("RescanningSource asks for a rescan at the start, on a SEQNUM gap and when SEQNUMs go back", async () => {
  const input = new PassThrough();
  const source = new RescanningSource(new RecordingUeventSource(input, "rec", { seesEveryEvent: true }));
  input.end([1, 2, 5, 6, 3].map(fixture).join(""));
  assert.deepEqual(await take(source, 8), [
    "rescan start: rec started",
    "event 1",
    "event 2",
    "rescan seqnum-gap: SEQNUM 5 follows 2: 2 events lost",
    "event 5",
    "event 6",
    "rescan seqnum-reset: SEQNUM 3 follows 6: the numbering started again",
    "event 3",
  ]);
});

test("RescanningSource takes no gap for a loss when the source filters (udevadm --subsystem-match)", async () => {
  const input = new PassThrough();
  const source = new RescanningSource(new RecordingUeventSource(input, "rec"));
  input.end([1, 7].map(fixture).join(""));
  assert.deepEqual(await take(source, 3), ["rescan start: rec started", "event 1", "event 7"]);
});

/** A fake udevadm on disk: prints one recorded event per run, then exits 1. */
function fakeUdevadm(): string {
  const dir = mkdtempSync(join(tmpdir(), "vdrm-udevadm-"));
  const path = join(dir, "udevadm");
  const text = `monitor will print the received events for:\nKERNEL - the kernel uevent\n\n${formatUdevadmEvent(wedgedEvent(), 265_802_982)}`;
  writeFileSync(join(dir, "events.txt"), text);
  writeFileSync(path, `#!/bin/sh\ncat "${join(dir, "events.txt")}"\necho "monitor: lost the socket" >&2\nexit 1\n`);
  chmodSync(path, 0o755);
  return path;
}

test("UdevadmUeventSource parses the child's output, restarts it with a rescan request, then gives up", async () => {
  const command = fakeUdevadm();
  const source = new RescanningSource(new UdevadmUeventSource({ command, restartsMax: 1, restartDelayMs: 1 }));
  assert.equal(source.seesEveryEvent, false);
  const items = await take(source, 5);
  await runCall(source.close());
  const args = "monitor --kernel --property --subsystem-match=drm";
  assert.match(items[0]!, new RegExp(`^rescan start: ${command} ${args} \\(pid \\d+\\) started$`));
  assert.equal(items[1], "event 5208");
  assert.match(items[2]!, new RegExp(`^rescan restart: ${command} ${args} \\(pid \\d+\\) exited with code 1 \\(it said: monitor: lost the socket\\); restart 1 of 1$`));
  assert.equal(items[3], "event 5208");
  assert.match(items[4]!, /^end: .* exited with code 1 .*; gave up after 1 restarts$/);
});

test("UdevadmUeventSource ends with the reason when udevadm cannot run", async () => {
  const source = new UdevadmUeventSource({ command: "/nonexistent/udevadm" });
  assert.deepEqual(await take(source, 1), ["end: Cannot run /nonexistent/udevadm: spawn /nonexistent/udevadm ENOENT"]);
});

/** Syscalls that answer recvUevent() from a script; the rest is never called. */
function scriptedSys(results: SysResult<Uevent>[]): Syscalls {
  const calls = {
    *ueventSocket(): Call<SysResult<Fd>> {
      return ok(3 as Fd);
    },
    *recvUevent(): Call<SysResult<Uevent>> {
      return results.shift() ?? fail("EBADF");
    },
    *close(): Call<SysResult<0>> {
      return ok(0);
    },
  };
  return calls as unknown as Syscalls;
}

test("SyscallsUeventSource parses the socket's bytes and turns ENOBUFS into an overrun rescan", async () => {
  const sys = scriptedSys([ok(wedgedEvent()), fail("ENOBUFS"), fail("EAGAIN"), ok(wedgedEvent("none", undefined, 5210)), fail("EBADF")]);
  const source = new RescanningSource(new SyscallsUeventSource(sys));
  assert.deepEqual(await take(source, 7, 0), [
    "rescan start: uevent socket (NETLINK_KOBJECT_UEVENT group 1) started",
    "event 5208",
    "rescan overrun: recv() failed with ENOBUFS: the kernel dropped events",
    "timeout",
    "event 5210",
    "end: recv() failed with EBADF",
    "end: recv() failed with EBADF",
  ]);
});
