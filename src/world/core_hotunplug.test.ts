import assert from "node:assert/strict";
import { test } from "node:test";
import { SUBTESTS } from "../userspace/mod.js";
import { describeFindings, runCoreHotunplug } from "./core_hotunplug.js";

const WITH_LOAD = SUBTESTS.filter((s) => s.endsWith("-with-load"));
const MASTER = SUBTESTS.filter((s) => !s.endsWith("-with-load"));

for (const subtest of MASTER) {
  test(`core_hotunplug ${subtest} passes cleanly on vdisp`, () => {
    const run = runCoreHotunplug(subtest, { driver: "vdisp", seed: 7 });
    assert.deepEqual(run.result, { verdict: "pass" }, `seed ${run.seed}`);
    assert.equal(run.findings.length, 0, `seed ${run.seed}: ${describeFindings(run.findings)}`);
  });

  const hot = subtest.startsWith("hot");
  test(`core_hotunplug ${subtest} on vdisp-devm ${hot ? "reports a use-after-free" : "warns at register but frees nothing twice"}`, () => {
    const run = runCoreHotunplug(subtest, { driver: "vdisp-devm", seed: 7 });
    const kinds = new Set(run.findings.map((f) => f.kind));
    assert.ok(!kinds.has("double-free"), `seed ${run.seed}: ${describeFindings(run.findings)}`);
    assert.ok(kinds.has("warn"), `seed ${run.seed}: the missing final_kfree must warn (R4)`);
    if (hot) {
      const uaf = run.findings.find((f) => f.kind === "use-after-free");
      assert.ok(uaf !== undefined, `seed ${run.seed}: expected a use-after-free, got ${describeFindings(run.findings)}`);
      assert.equal(uaf.kind, "use-after-free");
      assert.match(uaf.object, /vdisp_devm_device/);
      assert.equal(uaf.free.fn, "devres_release_all");
    } else {
      assert.ok(!kinds.has("use-after-free"), describeFindings(run.findings));
    }
  });
}

for (const subtest of MASTER) {
  test(`core_hotunplug ${subtest} runs on virtio-gpu's render node and passes cleanly (through virtio-pci)`, () => {
    const run = runCoreHotunplug(subtest, { driver: "virtio-gpu", seed: 7 });
    assert.deepEqual(run.result, { verdict: "pass" }, `seed ${run.seed}`);
    assert.equal(run.findings.length, 0, `seed ${run.seed}: ${describeFindings(run.findings)}`);
    const unbinds = run.world.sim.trace.events.filter(
      (e) => e.t === "call" && e.op === "write_file" && e.args.includes("/drivers/virtio-pci/unbind"),
    );
    assert.equal(unbinds.length, subtest.includes("rebind") ? 1 : 0, "the unbind goes to virtio-pci");
  });
}

test("core_hotunplug skips on bochs-drm, which has no render node (as IGT does)", () => {
  const run = runCoreHotunplug("hotunbind-rebind", { driver: "bochs-drm" });
  assert.deepEqual(run.result, { verdict: "skip", message: "No render node" });
});

for (const subtest of WITH_LOAD) {
  test(`core_hotunplug ${subtest} passes cleanly on vtest, whatever the schedule`, () => {
    for (const profile of ["mainline", "uapi-doc"] as const) {
      for (let seed = 1; seed <= 3; seed++) {
        const run = runCoreHotunplug(subtest, { driver: "vtest", seed, profile });
        const where = `seed ${seed}, ${profile}`;
        assert.deepEqual(run.result, { verdict: "pass" }, where);
        assert.equal(run.findings.length, 0, `${where}: ${describeFindings(run.findings)}`);
      }
    }
  });

  test(`core_hotunplug ${subtest} skips on vdisp, which IGT cannot load`, () => {
    const run = runCoreHotunplug(subtest, { driver: "vdisp", seed: 1 });
    const message = "No GPU workload support for this driver";
    assert.deepEqual(run.result, { verdict: "skip", message });
    assert.equal(run.findings.length, 0, describeFindings(run.findings));
  });

  test(`core_hotunplug ${subtest} skips on virtio-gpu too: it has a render node but no 3D to load`, () => {
    const run = runCoreHotunplug(subtest, { driver: "virtio-gpu", seed: 1 });
    assert.deepEqual(run.result, { verdict: "skip", message: "No GPU workload support for this driver" });
    assert.equal(run.findings.length, 0, describeFindings(run.findings));
  });
}

test("the master subtests pass on vtest too (it has a render node)", () => {
  for (const subtest of MASTER) {
    const run = runCoreHotunplug(subtest, { driver: "vtest", seed: 2 });
    assert.deepEqual(run.result, { verdict: "pass" }, subtest);
    assert.equal(run.findings.length, 0, `${subtest}: ${describeFindings(run.findings)}`);
  }
});
