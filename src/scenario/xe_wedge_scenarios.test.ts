/**
 * The built-in xe wedge scenarios over several seeds and kernel versions: wedge and rebind,
 * wedge while a program holds the device, and the early-wedge driver caught by the wedge
 * prerequisite check. Before 6.14 there is no WEDGED uevent, so the programs waiting for it
 * time out and the scenarios fail their expectations: the scenarios need a kernel with the
 * event.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runs, unmet } from "./_test_builtin.js";

test("xe-wedge-rebind and xe-wedge-held pass on every seed and from 6.14 on", () => {
  for (const name of ["xe-wedge-rebind", "xe-wedge-held"]) {
    for (const kernel of ["6.14", "7.1"] as const) {
      for (const run of runs(name, 4, kernel)) {
        assert.equal(run.verdict, "pass", `${name} ${kernel} seed ${run.seed}: ${unmet(run)}`);
        assert.deepEqual(run.findings, []);
      }
    }
  }
});

test("before 6.14 xe wedges silently: the wait for the WEDGED uevent times out", () => {
  const [run] = runs("xe-wedge-rebind", 1, "6.12");
  assert.equal(run!.verdict, "expectation");
  const wait = run!.steps.find((s) => s.text.startsWith("wait-uevent"));
  assert.deepEqual(wait?.outcome, { status: "errno", errno: "ETIMEDOUT" });
});

test("xe-early-wedge is caught by the wedge prerequisite check on every seed", () => {
  for (const run of runs("xe-early-wedge", 4)) {
    assert.equal(run.verdict, "pass", `seed ${run.seed}: ${unmet(run)}`);
    assert.deepEqual(run.findings.map((f) => f.kind), ["wedge-prerequisite"]);
  }
});

test("xe-survivability passes from 6.18 on; at 6.17 the vendor bit has no name (WEDGED=unknown, WARN)", () => {
  for (const run of runs("xe-survivability", 3)) {
    assert.equal(run.verdict, "pass", `seed ${run.seed}: ${unmet(run)}`);
  }
  const [old] = runs("xe-survivability", 1, "6.17");
  assert.equal(old!.verdict, "warn");
  const wait = old!.steps.find((s) => s.text.startsWith("wait-uevent"));
  assert.equal(wait?.outcome.status === "ok" ? wait.outcome.fields.WEDGED : null, "unknown");
  assert.deepEqual(old!.findings.map((f) => f.kind), ["warn"]);
});
