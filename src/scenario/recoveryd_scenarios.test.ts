/**
 * The recovery daemon end to end in the model (issue 11 part 4): the built-in scenarios
 * xe-recoveryd-* over several seeds, checked at the user's boundary: the uevents the daemon's
 * writes cause, in order and in number, the journal lines it leaves, what it printed, and the
 * programs' results. The per-policy table lists each driver policy's scenario and what the
 * daemon must do for it; a new driver policy is one entry.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ueventGet } from "../uapi/mod.js";
import { errorsOf, scenarioFrom } from "./_testing.js";
import { runScenario, type ScenarioRun } from "./run.js";
import { runs, unmet } from "./_test_builtin.js";

const JOURNAL = "/var/lib/vdrm-recoveryd/journal.jsonl";



function journal(run: ScenarioRun): Record<string, unknown>[] {
  return (run.stateFiles.get(JOURNAL) ?? []).map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** The ticks of the uevents of the PCI function with this ACTION. */
function pciEvents(run: ScenarioRun, action: string): number[] {
  return run.uevents.filter((u) => u.event.action === action && ueventGet(u.event, "SUBSYSTEM") === "pci").map((u) => u.tick);
}

function wedgedAt(run: ScenarioRun): number[] {
  return run.uevents.filter((u) => ueventGet(u.event, "WEDGED") !== undefined).map((u) => u.tick);
}

/** When step `index` (1-based, as the file numbers them) of `program` returned. */
function stepEnd(run: ScenarioRun, program: string, index: number): number {
  const s = run.steps.find((x) => x.program === program && x.step.index === index);
  assert.ok(s !== undefined, `no step ${program}#${index}`);
  return s.endTick;
}

/**
 * One entry per driver policy: its scenario, the method the daemon must use (the first the
 * driver advertises), the writes it makes in order, and the program whose steps reopen the card.
 */
interface PolicyCase {
  readonly driver: string;
  readonly scenario: string;
  readonly method: string;
  readonly writes: readonly string[];
}

const POLICIES: readonly PolicyCase[] = [
  {
    driver: "xe", scenario: "xe-recoveryd-rebind", method: "rebind",
    writes: ['wrote /sys/bus/pci/drivers/xe/unbind "0000:01:00.0"', 'wrote /sys/bus/pci/drivers/xe/bind "0000:01:00.0"'],
  },
  {
    driver: "i915", scenario: "i915-recoveryd-rebind", method: "rebind",
    writes: ['wrote /sys/bus/pci/drivers/i915/unbind "0000:01:00.0"', 'wrote /sys/bus/pci/drivers/i915/bind "0000:01:00.0"'],
  },
];

test("amdgpu: WEDGED=none after a ring reset: the daemon collects telemetry and writes nothing", () => {
  for (const run of runs("amdgpu-recoveryd-none", 3)) {
    assert.equal(run.verdict, "pass", `seed ${run.seed}: ${unmet(run)}`);
    const records = journal(run);
    assert.ok(!records.some((r) => r["type"] === "step"), `seed ${run.seed}: ${JSON.stringify(records)}`);
    assert.equal(records.at(-1)?.["outcome"], "telemetry");
    assert.deepEqual(pciEvents(run, "unbind"), []);
    assert.deepEqual(pciEvents(run, "bind"), []);
    assert.equal(wedgedAt(run).length, 1);
  }
});

for (const p of POLICIES) {
  test(`${p.driver}: the daemon recovers a wedged device by ${p.method}, and the programs reopen a healthy card`, () => {
    for (const run of runs(p.scenario, 3)) {
      assert.equal(run.verdict, "pass", `seed ${run.seed}: ${unmet(run)}`);
      const records = journal(run);
      assert.deepEqual(records.map((r) => r["type"]), ["start", "event", "recovery", ...p.writes.flatMap(() => ["step", "step"]), "outcome"]);
      assert.equal(records.find((r) => r["type"] === "recovery")?.["action"], p.method);
      assert.equal(records.at(-1)?.["outcome"], "recovered");
      const daemon = run.steps.find((s) => s.text.startsWith("recoveryd"))!;
      assert.deepEqual(daemon.outcome.status === "ok" ? daemon.outcome.fields["printed"] : null, p.writes);
      assert.equal(pciEvents(run, "unbind").length, 1);
      assert.equal(pciEvents(run, "bind").length, 1);
    }
  });
}

test("the daemon does not touch a device until its program lets go (policy wait)", () => {
  for (const run of runs("xe-recoveryd-rebind", 3)) {
    const closed = stepEnd(run, "client", 9); // close $card, the program's last hold
    const [unbind] = pciEvents(run, "unbind");
    assert.ok(unbind !== undefined && unbind > closed, `seed ${run.seed}: unbind at ${unbind}, last close at ${closed}`);
  }
});

test("a device still held is recovered only when the policy's timeout acts (wait 3 s, then proceed)", () => {
  for (const run of runs("xe-recoveryd-held", 3)) {
    assert.equal(run.verdict, "pass", `seed ${run.seed}: ${unmet(run)}`);
    const [wedged] = wedgedAt(run);
    const [unbind] = pciEvents(run, "unbind");
    assert.ok(wedged !== undefined && unbind !== undefined);
    assert.ok(unbind - wedged >= 3_000_000, `seed ${run.seed}: unbind ${unbind - wedged} µs after the wedge`);
    const daemon = run.steps.find((s) => s.program === "recoveryd")!;
    const log = daemon.outcome.status === "ok" ? daemon.outcome.fields["log"] : [];
    assert.ok((log as string[]).includes("warn: the device is in use"));
  }
});

test("a device that wedges again and again is recovered three times, then given up: no loop", () => {
  for (const run of runs("xe-recoveryd-ladder", 2)) {
    assert.equal(run.verdict, "pass", `seed ${run.seed}: ${unmet(run)}`);
    assert.equal(wedgedAt(run).length, 4);
    assert.equal(pciEvents(run, "unbind").length, 3);
    const records = journal(run);
    assert.deepEqual(records.filter((r) => r["type"] === "recovery").map((r) => r["action"]), ["rebind", "bus-reset", "bus-reset"]);
    assert.deepEqual(records.filter((r) => r["type"] === "state").map((r) => r["state"]), ["given-up"]);
  }
});

test("a daemon killed in the middle of a bus reset and started again repeats no step", () => {
  for (const run of runs("xe-recoveryd-restart", 3)) {
    assert.equal(run.verdict, "pass", `seed ${run.seed}: ${unmet(run)}`);
    assert.equal(pciEvents(run, "unbind").length, 1, `seed ${run.seed}: one unbind`);
    assert.equal(pciEvents(run, "bind").length, 1);
    const records = journal(run);
    assert.deepEqual(records.filter((r) => r["type"] === "start").length, 2);
    const steps = records.filter((r) => r["type"] === "step").map((r) => `${r["index"]} ${r["phase"]}`);
    // The unbind (step 0) began before the kill; whether its end was journaled depends on where
    // the kill landed. Either way the second daemon skips it and goes on with the reset and bind.
    assert.ok(steps.includes("0 skipped"), steps.join(", "));
    assert.equal(steps.filter((s) => s === "0 begin").length, 1);
    assert.deepEqual(steps.filter((s) => !s.startsWith("0 ")), ["2 begin", "2 end", "3 begin", "3 end"]);
  }
});

test("policy stop-units: the daemon stops the unit holding the device (systemctl stop: SIGTERM), then recovers", () => {
  const r = runScenario(scenarioFrom(`world:
  devices:
    - { bdf: "0000:01:00.0", driver: xe }
programs:
  recoveryd:
    service: true
    steps:
      - recoveryd:
          apply: true
          config:
            consumers: { policy: stop-units, units: [player.service], timeoutSeconds: 5 }
            methods: { settleSeconds: 0.1 }
        expect: { exit: stopped, outcomes: [rebind recovered] }
  player:
    - open: { device: "0000:01:00.0", node: render }
      as: r
    - sysfs-write: /sys/kernel/debug/dri/0/fail_gt_reset/probability
      value: "100"
    - ioctl: DRM_IOCTL_VTEST_SUBMIT
      fd: $r
      args: { engine: 0, flags: 1, duration_ns: 0 }
    - wait-uevent: { ACTION: bind, SUBSYSTEM: pci }
      timeout: 60s
      expect: SIGTERM
  client:
    - wait-uevent: { ACTION: bind, SUBSYSTEM: pci }
      timeout: 10s
    - healthy: "0000:01:00.0"
      expect: { healthy: true }
`));
  assert.equal(r.verdict, "pass", unmet(r));
  const player = r.steps.find((s) => s.program === "player" && s.step.index === 4)!;
  const [unbind] = pciEvents(r, "unbind");
  assert.ok(unbind !== undefined && unbind > player.endTick, "the unbind comes after the player's end");
  const notes = r.world.sim.trace.events.flatMap((e) => (e.t === "note" ? [e.text] : []));
  assert.ok(notes.includes("SIGTERM to player (pid 1001) from recoveryd (pid 1000)"), notes.join("\n"));
});

test("a recoveryd step outside a service is refused at load, located, where it ran to the step budget", () => {
  assert.deepEqual(errorsOf(`programs:
  daemon:
    - recoveryd: null
  app:
    - sleep: 1ms
`), ["test.yaml:3:7: program daemon, step 1: recoveryd runs until it is stopped, and nothing stops it: make its program a service (programs.daemon: {service: true, steps: [...]}), which the run stops once the other programs have ended, or kill it from another program"]);
});
