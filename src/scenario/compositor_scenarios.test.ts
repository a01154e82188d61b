/**
 * The built-in compositor scenarios, run as `vdrm run` runs them, checked at the boundary the
 * compositors see: the system calls each made (which card, which errno, when), the results
 * their step returns, and the verdict. Frames flipped per card are counted from the
 * compositor's successful PAGE_FLIP calls, before and after the admin's pull-card step.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { CallRecord } from "../kernel/mod.js";
import { errorsOf } from "./_testing.js";
import { parseScenario } from "./load.js";
import { runScenario, type ScenarioRun, type StepRecord } from "./run.js";

function scenarioText(name: string): string {
  return readFileSync(fileURLToPath(new URL(`../../scenarios/${name}.yaml`, import.meta.url)), "utf8");
}

function run(name: string, edit: (text: string) => string = (t) => t): ScenarioRun {
  const r = parseScenario(edit(scenarioText(name)), `${name}.yaml`);
  assert.ok(r.ok, `cannot load ${name}`);
  return runScenario(r.scenario);
}

function why(r: ScenarioRun): string {
  return r.steps.filter((s) => s.met === false).map((s) => s.why).join("; ");
}

function stepOf(r: ScenarioRun, program: string, op: string): StepRecord {
  const s = r.steps.find((x) => x.program === program && x.step.op.name === op);
  assert.ok(s !== undefined, `no ${op} step in ${program}`);
  return s;
}

function fieldsOf(s: StepRecord): Readonly<Record<string, unknown>> {
  assert.equal(s.outcome.status, "ok", JSON.stringify(s.outcome));
  return s.outcome.status === "ok" ? s.outcome.fields : {};
}

/** The card each fd of the compositor's calls stands for, from its open calls. */
function cardOfFd(calls: readonly CallRecord[]): Map<string, string> {
  const cards = new Map<string, string>();
  for (const c of calls) {
    const m = /^\/dev\/dri\/(card\d+)$/.exec(c.args);
    if (c.op === "open" && m !== null && c.errno === null) cards.set(c.ret, m[1]!);
  }
  return cards;
}

interface CardCalls {
  /** Successful PAGE_FLIPs before and after the tick. */
  before: number;
  after: number;
  /** The errnos of its failed calls, "OP ERRNO". */
  errnos: string[];
}

/** Per card: the compositor's flips before and after `tick`, and its failed calls. */
function flipsAround(calls: readonly CallRecord[], tick: number): Map<string, CardCalls> {
  const fds = cardOfFd(calls);
  const out = new Map<string, CardCalls>();
  for (const c of calls) {
    const card = fds.get(c.args.split(",")[0]!);
    if (card === undefined) continue;
    let per = out.get(card);
    if (per === undefined) out.set(card, (per = { before: 0, after: 0, errnos: [] }));
    const name = c.args.split(", ")[1] ?? c.op;
    if (c.errno !== null) per.errnos.push(`${name} ${c.errno}`);
    else if (name === "DRM_IOCTL_MODE_PAGE_FLIP") per[c.tick < tick ? "before" : "after"]++;
  }
  return out;
}

function pullTick(r: ScenarioRun): number {
  return stepOf(r, "admin", "pull-card").endTick;
}

describe("compositor-robust-unplug (mainline)", () => {
  const r = run("compositor-robust-unplug");
  const step = stepOf(r, "compositor", "compositor");
  const res = fieldsOf(step);
  const cards = flipsAround(step.calls, pullTick(r));

  it("passes with no finding: card0 dropped, both cards driven", () => {
    assert.equal(r.verdict, "pass", why(r));
    assert.deepEqual(r.findings, []);
    assert.deepEqual([res["cards"], res["dropped"]], [["card0", "card1"], ["card0"]]);
  });

  it("flips both cards before the pull, and only card1 after it", () => {
    const [c0, c1] = [cards.get("card0")!, cards.get("card1")!];
    assert.ok(c0.before >= 10 && c1.before >= 10, JSON.stringify([c0, c1]));
    assert.ok(c0.after <= 1, `card0 flipped ${c0.after} times after the pull`);
    assert.ok(c1.after >= 40, `card1 flipped only ${c1.after} times after the pull`);
    const [f0, f1] = res["flips_after_drop"] as number[];
    assert.ok(f0! <= 1 && f1! >= 40, `flips after the drop: ${String(res["flips_after_drop"])}`);
  });

  it("sees at most ENODEV on card0, nothing fails on card1, and closes card0 after unmapping its buffers", () => {
    assert.deepEqual(cards.get("card1")!.errnos, []);
    for (const e of cards.get("card0")!.errnos) assert.equal(e, "DRM_IOCTL_MODE_PAGE_FLIP ENODEV");
    const fd = [...cardOfFd(step.calls)].find(([, card]) => card === "card0")![0];
    const close = step.calls.find((c) => c.op === "close" && c.args === fd);
    assert.ok(close !== undefined && close.ret === "0", "close(card0) returns 0 (R44)");
    const maps = step.calls.filter((c) => c.op === "mmap" && c.args.startsWith(`${fd}, `)).map((c) => c.ret);
    assert.equal(maps.length, 2, "its two buffers were mapped");
    const unmaps = step.calls.filter((c) => c.op === "munmap" && maps.includes(c.args.split(",")[0]!));
    assert.equal(unmaps.length, 2, "and both unmapped");
    for (const u of unmaps) {
      assert.ok(u.errno === null && u.tick > pullTick(r) && u.tick <= close.tick, JSON.stringify(u));
    }
    assert.ok(close.tick > r.uevents.find((u) => u.event.action === "remove")!.tick);
  });
});

describe("compositor-robust-unplug-uapi-doc", () => {
  const r = run("compositor-robust-unplug-uapi-doc");
  const step = stepOf(r, "compositor", "compositor");
  const res = fieldsOf(step);

  it("passes: no call fails (the ioctls fake success), the remove uevent drops card0", () => {
    assert.equal(r.verdict, "pass", why(r));
    assert.equal(r.profile, "uapi-doc");
    assert.deepEqual(res["errors"], []);
    assert.ok(step.calls.every((c) => c.errno === null), "no failed call");
    assert.ok((res["log"] as string[]).some((l) => /card0 gone \(remove uevent\)/.test(l)), String(res["log"]));
    const c1 = flipsAround(step.calls, pullTick(r)).get("card1")!;
    assert.ok(c1.after >= 40, `card1 flipped only ${c1.after} times after the pull`);
  });
});

describe("compositor-naive-unplug (mainline)", () => {
  it("ends blocked in drm_read on card0 after ENODEV from its flip; card1 stops flipping too", () => {
    const r = run("compositor-naive-unplug");
    assert.equal(r.verdict, "pass", why(r)); // the file allows it with expect: blocked
    const step = stepOf(r, "compositor", "compositor");
    assert.equal(step.outcome.status, "blocked");
    if (step.outcome.status !== "blocked") return;
    assert.equal(step.outcome.call, "read(3, 4096)");
    assert.match(step.outcome.wait, /drm_read on card0/);
    assert.equal(step.outcome.state, "interruptible");
    const cards = flipsAround(step.calls, pullTick(r));
    assert.ok(cards.get("card0")!.errnos.includes("DRM_IOCTL_MODE_PAGE_FLIP ENODEV"));
    assert.ok(cards.get("card1")!.after <= 2, `card1 flipped ${cards.get("card1")!.after} times after the pull`);
    assert.deepEqual(r.findings, [], "no kernel wait is left: not a kernel hang");
  });

  it("without the allowance the verdict is blocked, naming the program and its wait", () => {
    const r = run("compositor-naive-unplug", (t) => t.replace("      expect: blocked\n", ""));
    assert.equal(r.verdict, "blocked");
    assert.equal(r.blocked.length, 1);
    const b = r.blocked[0]!;
    assert.equal(b.unexpected, true);
    assert.equal(b.record.program, "compositor");
    assert.ok(b.record.outcome.status === "blocked" && /drm_read on card0/.test(b.record.outcome.wait));
  });
});

describe("compositor-naive-unplug-uapi-doc", () => {
  it("survives: every faked flip sends its event, all 60 frames run on both cards", () => {
    const r = run("compositor-naive-unplug-uapi-doc");
    assert.equal(r.verdict, "pass", why(r));
    const step = stepOf(r, "compositor", "compositor");
    assert.deepEqual(fieldsOf(step)["flips"], [60, 60]);
    const c0 = flipsAround(step.calls, pullTick(r)).get("card0")!;
    assert.deepEqual(c0.errnos, []);
    assert.ok(c0.after >= 40, `card0's flips after the pull succeed: ${c0.after}`);
  });
});

describe("compositor-robust-hotplug", () => {
  it("opens the card plugged in while it flips, and flips it on after dropping the pulled one", () => {
    const r = run("compositor-robust-hotplug");
    assert.equal(r.verdict, "pass", why(r));
    const step = stepOf(r, "compositor", "compositor");
    const res = fieldsOf(step);
    assert.deepEqual([res["cards"], res["dropped"]], [["card0", "card1"], ["card0"]]);
    assert.ok((res["log"] as string[]).some((l) => /card1 appeared \(add uevent\)/.test(l)), String(res["log"]));
    const plugged = stepOf(r, "admin", "plug-card").endTick;
    const open1 = step.calls.find((c) => c.op === "open" && c.args === "/dev/dri/card1");
    assert.ok(open1 !== undefined && open1.tick >= plugged, "card1 is opened after it was plugged");
    const c1 = flipsAround(step.calls, pullTick(r)).get("card1")!;
    assert.ok(c1.before >= 5 && c1.after >= 15, JSON.stringify(c1));
    assert.deepEqual(c1.errnos, []);
  });
});

describe("the compositor step's arguments", () => {
  it("are checked at load, each error located; `ready` counts as a signal for wait", () => {
    const text = [
      "programs:",
      "  c:",
      "    - compositor: robust",
      '      devices: ["0000:01:00.0"]',
      "      frames: 10",
      "      ready: lit",
      "  e:",
      "    - compositor: robst",
      '      devices: ["0000:01:00.0"]',
      "      frames: 0",
      "  d:",
      "    - wait: lit",
      "    - wait: lot",
      "",
    ].join("\n");
    assert.deepEqual(errorsOf(text), [
      'test.yaml:8:19: program e, step 1 compositor: unknown compositor "robst" (did you mean "robust"?); expected one of robust, naive',
      "test.yaml:10:15: program e, step 1 frames: Too small: expected number to be >=1",
      'test.yaml:13:13: program d, step 2 wait: no program signals "lot" (did you mean "lit"?)',
    ]);
  });
});
