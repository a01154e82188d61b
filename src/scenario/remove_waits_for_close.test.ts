/**
 * vdisp-waitclose, whose remove() waits for every file to close (seed 001): the built-in
 * scenario remove-waits-for-close is caught as a kernel hang on every seed, naming the sysfs
 * writer and what it waits for; pciehp's thread is named when the card is pulled; a wait
 * longer than the hung-task timeout that ends later is a hung task; a close ends the wait,
 * even a late one. The same story on vdisp passes.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { findingSummary, type Finding } from "../kernel/mod.js";
import { parseScenario } from "./load.js";
import { runScenario, type ScenarioRun } from "./run.js";
import { scenarioFrom } from "./_testing.js";

const FILE = fileURLToPath(new URL("../../scenarios/remove-waits-for-close.yaml", import.meta.url));
const TEXT = readFileSync(FILE, "utf8");
const WAIT = "the last close of drm_device#1 (card0) (vdisp-waitclose remove() waits for " +
  "userspace; still open: card0 of pid 1000)";

function run(text: string, seed?: number): ScenarioRun {
  const r = parseScenario(text, "remove-waits-for-close.yaml");
  assert.ok(r.ok, r.ok ? "" : r.errors.map((e) => e.message).join("; "));
  return runScenario(r.scenario, seed === undefined ? {} : { seed });
}

const summaries = (findings: readonly Finding[]): string[] => findings.map(findingSummary);

function why(r: ScenarioRun): string {
  return [...r.steps.filter((s) => s.met === false).map((s) => s.why), ...summaries(r.findings)]
    .join("; ");
}

/** The administrator's removal through sysfs, which returns once remove() has. */
const REMOVE = `
    - sysfs-write: /sys/bus/pci/devices/0000:01:00.0/remove
      value: 1
      expect: ok
`;

/** A program that holds card0 open, asleep in read(), and `remover` that takes the device. */
function holder(driver: string, remover: string, readTimeout = ""): string {
  return `
world:
  devices:
    - { bdf: "0000:01:00.0", driver: ${driver} }
programs:
  app:
    may-end-blocked: true
    steps:
      - open: { device: "0000:01:00.0", node: card }
        as: card
      - signal: reading
      - read: $card${readTimeout}
      - close: $card
  admin:
    - wait: reading
    - sleep: 1ms
${remover}`;
}

describe("vdisp-waitclose: remove() waits for every file to close", () => {
  it("remove-waits-for-close is caught as a hang of the sysfs writer, on every seed", () => {
    for (let seed = 1; seed <= 8; seed++) {
      const r = run(TEXT, seed);
      assert.equal(r.verdict, "pass", `seed ${seed}: ${why(r)}`);
      assert.deepEqual(summaries(r.findings), [`hang: no task can run; admin waits on ${WAIT}`],
        `seed ${seed}: one hang, and nothing leaks once the killed compositor's close ends it`);
      const write = r.blocked.find((b) => b.record.program === "admin")?.record.outcome;
      assert.ok(write?.status === "blocked");
      assert.deepEqual([write.call, write.state],
        ['write_file(/sys/bus/pci/drivers/vdisp-waitclose/unbind, "0000:01:00.0")', "uninterruptible"]);
    }
  });

  it("without its declared finding the run's verdict is hang", () => {
    const r = run(TEXT.replace("  findings: [hang]\n", ""));
    assert.equal(r.verdict, "hang");
  });

  it("the same story on vdisp passes: the unbind returns while the program still holds its file", () => {
    const fixed = TEXT.replaceAll("vdisp-waitclose", "vdisp")
      .replace(/expect: blocked\ncheck/, "expect: ok\ncheck")
      .replace("  findings: [hang]\n", "");
    assert.notEqual(fixed, TEXT);
    const r = run(fixed);
    assert.equal(r.verdict, "pass", why(r));
    assert.deepEqual(r.findings, []);
    const unbind = r.steps.find((s) => s.program === "admin" && s.text.includes("unbind"));
    assert.deepEqual(unbind?.outcome, { status: "ok", fields: { written: 12 } });
  });

  it("names pciehp's thread when the card is pulled", () => {
    const r = runScenario(scenarioFrom(holder("vdisp-waitclose", `
    - pull-card: "0000:01:00.0"
      expect: ok
`)));
    assert.equal(r.verdict, "hang");
    assert.deepEqual(summaries(r.findings), [`hang: no task can run; irq/pciehp.1 waits on ${WAIT}`]);
  });

  it("a close ends the wait: remove() returns right after the program's close", () => {
    const r = runScenario(scenarioFrom(holder("vdisp-waitclose", REMOVE, "\n        timeout: 10ms")));
    assert.equal(r.verdict, "pass", why(r));
    const close = r.steps.find((s) => s.program === "app" && s.text.startsWith("close"));
    const remove = r.steps.find((s) => s.program === "admin" && s.text.includes("remove"));
    assert.ok(close !== undefined && remove !== undefined);
    assert.ok(remove.startTick < close.startTick, "the removal started before the close");
    assert.ok(remove.endTick >= close.endTick, "and ended after it");
  });

  it("a wait longer than the hung-task timeout that ends later is a hung task", () => {
    const r = runScenario(scenarioFrom(holder("vdisp-waitclose", REMOVE, "\n        timeout: 200s")));
    assert.equal(r.verdict, "hang");
    const [hung, ...more] = summaries(r.findings);
    assert.deepEqual(more, []);
    const m = /^INFO: task admin blocked for more than (\d+) ticks on (.*)$/.exec(hung ?? "");
    assert.ok(m !== null, hung);
    assert.ok(Number(m[1]) > 120_000_000, "past the hung-task timeout of 120 s");
    assert.equal(m[2], WAIT);
    const remove = r.steps.find((s) => s.program === "admin" && s.text.includes("remove"));
    assert.equal(remove?.met, true, "the removal returns once the read times out and the card closes");
  });
});
