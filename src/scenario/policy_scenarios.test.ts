/**
 * The built-in i915 and amdgpu scenarios over several seeds and kernel versions: i915 wedges
 * and a forced reset brings it back (with a program holding it, the job gated on a foreign
 * fence is reported by the wedge prerequisite check, as i915 does it); amdgpu recovers its
 * hangs itself with WEDGED=none and a program's PID/TASK, and halts on a fatal error.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runs, unmet } from "./_test_builtin.js";



test("i915-wedge-reset, amdgpu-fatal-error-held pass on every seed from 6.14 on", () => {
  for (const name of ["i915-wedge-reset", "amdgpu-fatal-error-held"]) {
    for (const kernel of ["6.14", "7.1"] as const) {
      for (const run of runs(name, 3, kernel)) {
        assert.equal(run.verdict, "pass", `${name} ${kernel} seed ${run.seed}: ${unmet(run)}`);
        assert.deepEqual(run.findings, []);
      }
    }
  }
});

test("amdgpu-ring-reset needs task information: it passes from 6.17; at 6.14 PID and TASK are missing", () => {
  for (const run of runs("amdgpu-ring-reset", 3)) {
    assert.equal(run.verdict, "pass", `seed ${run.seed}: ${unmet(run)}`);
  }
  const [old] = runs("amdgpu-ring-reset", 1, "6.14");
  assert.equal(old!.verdict, "expectation");
  const wait = old!.steps.find((s) => s.text.startsWith("wait-uevent"));
  assert.equal(wait?.outcome.status === "ok" ? wait.outcome.fields.PID : "no event", undefined);
});

test("i915-wedge-held: the job gated on a foreign fence is still unsignalled at the event", () => {
  for (const run of runs("i915-wedge-held", 3)) {
    assert.equal(run.verdict, "pass", `seed ${run.seed}: ${unmet(run)}`);
    assert.deepEqual(run.findings.map((f) => f.kind), ["wedge-prerequisite"]);
  }
});

test("before 6.14 i915 wedges without a WEDGED uevent: the program's wait times out", () => {
  const [run] = runs("i915-wedge-reset", 1, "6.12");
  assert.equal(run!.verdict, "expectation");
  const wait = run!.steps.find((s) => s.text.startsWith("wait-uevent"));
  assert.deepEqual(wait?.outcome, { status: "errno", errno: "ETIMEDOUT" });
});
