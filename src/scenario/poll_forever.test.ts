/**
 * `poll: FD` with `timeout: forever` (poll(2) with a negative timeout): the program sleeps until
 * an event, however long; with nothing to wake it, the run ends with the program blocked.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { errorsOf, scenarioFrom } from "./_testing.js";
import { runScenario } from "./run.js";

function scenario(jobNs: number, admin: string): string {
  return `name: poll-forever
world:
  devices:
    - { bdf: "0000:01:00.0", driver: vtest }
programs:
  client:
    - open: { device: "0000:01:00.0", node: render }
      as: r
    - ioctl: DRM_IOCTL_SYNCOBJ_CREATE
      fd: $r
      as: s
    - ioctl: DRM_IOCTL_VTEST_JOB
      fd: $r
      args: { duration_ns: ${jobNs}, out_syncobj: $s.handle }
    - ioctl: DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD
      fd: $r
      args: { handle: $s.handle, flags: 1 }
      as: out
    - signal: polling
    - poll: $out.fd
      timeout: forever
      expect: { flags: POLLIN }
    - fence-status: $out.fd
      as: st
${admin}`;
}

test("poll with timeout forever returns POLLIN when the job's fence signals, an hour later", () => {
  const hourNs = 3_600_000_000_000;
  const run = runScenario(scenarioFrom(scenario(hourNs, "")), { seed: 3 });
  assert.equal(run.verdict, "pass", JSON.stringify(run.steps.filter((s) => s.met === false)));
  const poll = run.steps.find((s) => s.text.startsWith("poll"));
  assert.ok(poll !== undefined);
  assert.match(poll.text, /forever/);
  assert.ok(poll.endTick - poll.startTick >= hourNs / 1000 - 1000, `${poll.startTick}..${poll.endTick}`);
  const st = run.steps.find((s) => s.text.startsWith("fence-status"));
  assert.ok(st?.outcome.status === "ok");
  assert.equal(st.outcome.fields["state"], "signaled");
});

test("poll with timeout forever returns when an unplug cancels the job (ECANCELED)", () => {
  const admin = `  admin:
    - wait: polling
    - sleep: 1ms
    - sysfs-write: /sys/bus/pci/devices/0000:01:00.0/remove
      value: 1
`;
  const run = runScenario(scenarioFrom(scenario(3_600_000_000_000, admin)), { seed: 5 });
  assert.equal(run.verdict, "pass", JSON.stringify(run.steps.filter((s) => s.met === false)));
  const st = run.steps.find((s) => s.text.startsWith("fence-status"));
  assert.ok(st?.outcome.status === "ok");
  assert.equal(st.outcome.fields["error"], "ECANCELED");
});

test("a misspelled forever is a located error", () => {
  const text = scenario(1000, "").replace("timeout: forever", "timeout: forver");
  const errors = errorsOf(text, "poll-forever.yaml");
  assert.equal(errors.length, 1, errors.join("\n"));
  assert.match(errors[0]!, /^poll-forever\.yaml:\d+:\d+: .*timeout: .*or forever/);
});
