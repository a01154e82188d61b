/**
 * Services and signals in scenarios: a program marked `service: true` is stopped once the
 * others end, as systemd stops a unit (SIGTERM, then SIGKILL after its stop timeout); the
 * `kill` step (kill(2)); and /proc as another program reads it (what a recovery daemon looks
 * for holders in).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { scenarioFrom } from "./_testing.js";
import { runScenario, type ScenarioRun, type StepRecord } from "./run.js";

function run(text: string): ScenarioRun {
  return runScenario(scenarioFrom(text));
}

function stepOf(r: ScenarioRun, program: string, index: number): StepRecord {
  const s = r.steps.find((x) => x.program === program && x.step.index === index);
  assert.ok(s !== undefined, `no step ${program}#${index}`);
  return s;
}

function notes(r: ScenarioRun): string[] {
  return r.world.sim.trace.events.flatMap((e) => (e.t === "note" ? [e.text] : []));
}

const DEVICE = `world:\n  devices:\n    - { bdf: "0000:01:00.0", driver: vdisp }\n`;

test("a service asleep in wait-uevent is stopped with SIGTERM once the others end; it has no handler, so it ends", () => {
  const r = run(`${DEVICE}programs:
  daemon:
    service: true
    steps:
      - wait-uevent: { ACTION: bind }
        timeout: 1000s
        expect: SIGTERM
  app:
    - sleep: 2s
`);
  assert.equal(r.verdict, "pass");
  assert.deepEqual(stepOf(r, "daemon", 1).outcome, { status: "signal", signal: "SIGTERM" });
  const end = stepOf(r, "daemon", 1).endTick;
  assert.ok(end >= 2_000_000 && end < 2_001_000, `at the end of app (2 s), not at the 1000 s timeout: ${end}`);
  assert.deepEqual(notes(r).filter((n) => n.startsWith("systemd")), ["systemd: stopping daemon (pid 1000): SIGTERM"]);
  assert.deepEqual(r.blocked, []);
});

test("a service that does not stop within its stop-timeout gets SIGKILL", () => {
  const r = run(`${DEVICE}programs:
  daemon:
    service: true
    stop-timeout: 2s
    steps:
      - sleep: 100s
        note: a sleep is not interrupted by a signal; the process dies when it returns
        expect: SIGKILL
  app:
    - sleep: 1s
`);
  assert.equal(r.verdict, "pass", JSON.stringify(r.steps.map((s) => s.outcome)));
  assert.deepEqual(notes(r).filter((n) => n.startsWith("systemd")), [
    "systemd: stopping daemon (pid 1000): SIGTERM",
    "systemd: daemon (pid 1000) did not stop in time: SIGKILL",
  ]);
});

test("without service: true nothing stops a waiting program: the run lasts until its timeout", () => {
  const r = run(`${DEVICE}programs:
  daemon:
    - wait-uevent: { ACTION: bind }
      timeout: 1000s
  app:
    - sleep: 1s
`);
  assert.deepEqual(stepOf(r, "daemon", 1).outcome, { status: "errno", errno: "ETIMEDOUT" });
  assert.ok(stepOf(r, "daemon", 1).endTick >= 1_000_000_000);
});

test("kill: SIGTERM and SIGKILL to another program; a program that is not running is an error of the step", () => {
  const r = run(`${DEVICE}programs:
  victim:
    - wait-uevent: { ACTION: bind }
      timeout: 100s
      expect: SIGKILL
  other:
    - wait-uevent: { ACTION: bind }
      timeout: 100s
      expect: SIGTERM
  killer:
    - kill: { program: victim, signal: SIGKILL }
      expect: { pid: 1000 }
    - kill: other
      expect: { pid: 1001 }
    - sleep: 1ms
    - kill: victim
      note: it has exited
      expect: ESRCH
    - kill: nobody
`);
  assert.ok(stepOf(r, "victim", 1).endTick < 1000 && stepOf(r, "other", 1).endTick < 1000);
  assert.deepEqual(r.steps.filter((x) => x.met === false).map((x) => x.step.index), []);
  assert.deepEqual(stepOf(r, "killer", 5).outcome, { status: "error", message: "no program nobody is running" });
});

test("/proc shows another program's files, mappings and name, and forgets it at its exit", () => {
  const r = run(`${DEVICE}programs:
  holder:
    - open: { device: "0000:01:00.0", node: card }
      as: card
    - ioctl: DRM_IOCTL_MODE_CREATE_DUMB
      fd: $card
      args: { width: 64, height: 64, bpp: 32 }
      as: bo
    - ioctl: DRM_IOCTL_MODE_MAP_DUMB
      fd: $card
      args: { handle: $bo.handle }
      as: map
    - mmap: $card
      offset: $map.offset
      length: $bo.size
    - signal: holding
    - wait: looked
  looker:
    - wait: holding
    - ls: /proc
      expect: { names: ["1000", "1001", self] }
    - ls: /proc/1000/fd
      expect: { names: ["3"] }
    - readlink: /proc/1000/fd/3
      expect: { target: /dev/dri/card0 }
    - sysfs-read: /proc/1000/comm
      expect: { text: holder }
    - sysfs-read: /proc/1000/maps
      expect: { text: "7f0000000000-7f0000004000 rw-s 100000000 00:05 0                         /dev/dri/card0" }
    - sysfs-read: /proc/1000/fdinfo/3
      expect: { text: "pos:\\t0\\nflags:\\t0100002" }
    - readlink: /proc/1000/fd/4
      expect: ENOENT
    - signal: looked
    - sleep: 1ms
    - ls: /proc
      expect: { names: ["1001", self] }
    - sysfs-read: /proc/1000/comm
      expect: ENOENT
`);
  assert.equal(r.verdict, "pass", r.steps.filter((s) => s.met === false).map((s) => `${s.text}: ${s.why}`).join("; "));
});

test("a service still waiting when the others end blocked is not a blocked verdict; an ordinary program is", () => {
  const text = (service: string): string => `${DEVICE}programs:
  daemon:${service}
    steps:
      - open: { device: "0000:01:00.0", node: card }
        as: card
      - read: $card
  reader:
    may-end-blocked: true
    steps:
      - open: { device: "0000:01:00.0", node: card }
        as: card
      - read: $card
`;
  assert.equal(run(text("\n    service: true")).verdict, "pass");
  assert.equal(run(text("")).verdict, "blocked");
});
