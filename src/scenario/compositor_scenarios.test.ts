/**
 * The built-in compositor scenarios, run as `vdrm run` runs them, checked at the boundary the
 * compositors see: the system calls each made (which card, which errno, when), the results
 * their step returns, and the verdict. Frames flipped per card are counted from the
 * compositor's successful PAGE_FLIP calls, before and after the admin's pull-card step.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { CallRecord } from "../kernel/mod.js";
import { run, unmet as why } from "./_test_builtin.js";
import { errorsOf } from "./_testing.js";
import type { ScenarioRun, StepRecord } from "./run.js";

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

/** The calls that queue a flip: a legacy page flip, or an atomic commit (non-blocking, with its event). */
const FLIPS = new Set(["DRM_IOCTL_MODE_PAGE_FLIP", "DRM_IOCTL_MODE_ATOMIC"]);

interface CardCalls {
  /** Successful PAGE_FLIPs or atomic commits before and after the tick. */
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
    else if (FLIPS.has(name)) per[c.tick < tick ? "before" : "after"]++;
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
  const r = run("compositor-naive-unplug");
  const step = stepOf(r, "compositor", "compositor");

  it("ends in drm_read on card0 after ENODEV from its flip; card1 stops flipping too", () => {
    assert.equal(r.verdict, "pass", why(r)); // the file declares the finding
    assert.equal(step.outcome.status, "blocked");
    if (step.outcome.status !== "blocked") return;
    assert.equal(step.outcome.call, "read(3, 4096)");
    assert.match(step.outcome.wait, /drm_read on card0/);
    assert.equal(step.outcome.state, "interruptible");
    const cards = flipsAround(step.calls, pullTick(r));
    assert.ok(cards.get("card0")!.errnos.includes("DRM_IOCTL_MODE_PAGE_FLIP ENODEV"));
    assert.ok(cards.get("card1")!.after <= 2, `card1 flipped ${cards.get("card1")!.after} times after the pull`);
  });

  it("is reported as a kernel hang naming the task, its call and its wait, once, after the last tick", () => {
    assert.deepEqual(r.findings.map((f) => f.kind), ["wait-never-woken"]);
    const f = r.findings[0]!;
    assert.ok(f.kind === "wait-never-woken");
    assert.equal(f.waiter.task, "compositor");
    assert.equal(f.call, "read(3, 4096)");
    assert.equal(f.waiter.reason, "drm_read on card0");
    assert.match(f.why, /^card0 is unplugged: no event is queued or owed to the file/);
    assert.equal(r.blocked.length, 1);
    assert.equal(r.blocked[0]!.unexpected, false, "the hang makes the verdict, not `blocked`");
  });

  it("without the finding declared the verdict is hang (exit 4), whether or not the step expects blocked", () => {
    const undeclared = (t: string): string => t.replace("  findings: [wait-never-woken]\n", "");
    const both = [undeclared, (t: string) => undeclared(t).replace("      expect: blocked\n", "")];
    for (const edit of both) {
      const e = run("compositor-naive-unplug", edit);
      assert.equal(e.verdict, "hang");
      assert.deepEqual(e.unexpected.map((f) => f.kind), ["wait-never-woken"]);
    }
  });

  it("a reader of a card that never had an event stays blocked: it waits for nothing the live card would send", () => {
    const r2 = run("hotunplug-blocked-reader");
    assert.equal(r2.verdict, "pass", why(r2));
    assert.deepEqual(r2.findings, []);
    assert.match(r2.blocked.map((b) => b.record.outcome.status === "blocked" && b.record.outcome.wait).join(), /drm_read on card0/);
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

/** The flags of each successful atomic commit of `calls` on `card`, in order. */
function atomicFlags(calls: readonly CallRecord[], card: string): number[] {
  const fd = [...cardOfFd(calls)].find(([, c]) => c === card)![0];
  return calls
    .filter((c) => c.args === `${fd}, DRM_IOCTL_MODE_ATOMIC` && c.errno === null)
    .map((c) => Number(c.input!["flags"]));
}

describe("compositor-robust-atomic-unplug (both profiles)", () => {
  it("mainline: atomic commits only, the first with ALLOW_MODESET; the pull in the middle of a non-blocking commit; card1 flips on", () => {
    const r = run("compositor-robust-atomic-unplug");
    assert.equal(r.verdict, "pass", why(r));
    assert.deepEqual(r.findings, []);
    const step = stepOf(r, "compositor", "compositor");
    const names = step.calls.map((c) => c.args.split(", ")[1]);
    assert.ok(!names.includes("DRM_IOCTL_MODE_PAGE_FLIP") && !names.includes("DRM_IOCTL_MODE_SETCRTC"), "no legacy call");
    const sets = step.calls.filter((c) => c.args.endsWith("DRM_IOCTL_SET_CLIENT_CAP"));
    assert.deepEqual(sets.map((c) => [c.input!["capability"], c.input!["value"], c.errno]), [[3n, 1n, null], [3n, 1n, null]]);
    for (const card of ["card0", "card1"]) {
      const [first, ...flips] = atomicFlags(step.calls, card);
      assert.equal(first, 0x601, `${card}: ALLOW_MODESET | NONBLOCK | PAGE_FLIP_EVENT first`);
      assert.ok(flips.length >= 10 && flips.every((f) => f === 0x201), `${card}: NONBLOCK | PAGE_FLIP_EVENT flips`);
    }
    const cards = flipsAround(step.calls, pullTick(r));
    for (const e of cards.get("card0")!.errnos) assert.equal(e, "DRM_IOCTL_MODE_ATOMIC ENODEV");
    assert.ok(cards.get("card1")!.after >= 40, JSON.stringify(cards.get("card1")));
    // A commit was in flight at the pull: its event is read after it, then card0 is closed.
    const log = fieldsOf(step)["log"] as string[];
    assert.ok(log.some((l) => /card0 gone .*close deferred until its pending flip completes/.test(l)), String(log));
  });

  it("uapi-doc: no call fails, the remove uevent drops card0, card1 flips on", () => {
    const r = run("compositor-robust-atomic-unplug-uapi-doc");
    assert.equal(r.verdict, "pass", why(r));
    const step = stepOf(r, "compositor", "compositor");
    assert.ok(step.calls.every((c) => c.errno === null), "no failed call");
    assert.ok(flipsAround(step.calls, pullTick(r)).get("card1")!.after >= 40);
  });

  it("kms: legacy (and the default) never asks for the atomic cap", () => {
    const r = run("compositor-robust-atomic-unplug", (t) => t.replace("      kms: atomic\n", "      kms: legacy\n"));
    assert.equal(r.verdict, "pass", why(r));
    const names = stepOf(r, "compositor", "compositor").calls.map((c) => c.args.split(", ")[1]);
    assert.ok(!names.includes("DRM_IOCTL_SET_CLIENT_CAP") && !names.includes("DRM_IOCTL_MODE_ATOMIC"));
    assert.ok(names.includes("DRM_IOCTL_MODE_SETCRTC") && names.includes("DRM_IOCTL_MODE_PAGE_FLIP"));
  });

  it("the naive compositor on atomic commits hangs the same way in mainline: ATOMIC ENODEV, then drm_read for ever", () => {
    const r = run("compositor-naive-unplug", (t) => t.replace("      frames: 60\n", "      frames: 60\n      kms: atomic\n"));
    assert.equal(r.verdict, "pass", why(r));
    assert.deepEqual(r.findings.map((f) => f.kind), ["wait-never-woken"]);
    const step = stepOf(r, "compositor", "compositor");
    assert.ok(flipsAround(step.calls, pullTick(r)).get("card0")!.errnos.includes("DRM_IOCTL_MODE_ATOMIC ENODEV"));
    assert.ok(atomicFlags(step.calls, "card1").length >= 10);
  });
});

describe("compositor-robust-display-hotplug", () => {
  const r = run("compositor-robust-display-hotplug");
  const step = stepOf(r, "compositor", "compositor");
  const res = fieldsOf(step);
  const ticks = r.uevents.filter((u) => u.event.action === "change").map((u) => u.tick);

  it("drops card0's output on the first HOTPLUG=1 change and lights it again on the second; nothing fails", () => {
    assert.equal(r.verdict, "pass", why(r));
    assert.deepEqual([res["cards"], res["dropped"], res["errors"]], [["card0", "card1"], [], []]);
    const log = (res["log"] as string[]).slice(2).map((l) => l.replace(/^frame \d+: /, ""));
    assert.deepEqual(log, ["card0: connector 32 disconnected: output dropped", "card0: connector 32 connected: output lit"]);
  });

  it("re-reads connector 32 after each change, flips card0 only while its display is plugged, card1 all along", () => {
    assert.equal(ticks.length, 2);
    const [out, back] = ticks as [number, number];
    const probes = step.calls.filter((c) => c.args.endsWith("DRM_IOCTL_MODE_GETCONNECTOR") && c.input!["connector_id"] === 32);
    assert.ok(probes.some((c) => c.tick > out && c.tick < back && c.output!["connection"] === 2), "read disconnected");
    assert.ok(probes.some((c) => c.tick > back && c.output!["connection"] === 1), "read connected again");
    const flags0 = step.calls.filter((c) => c.args.endsWith("DRM_IOCTL_MODE_ATOMIC") && c.errno === null);
    const card0 = [...cardOfFd(step.calls)].find(([, c]) => c === "card0")![0];
    const on0 = flags0.filter((c) => c.args.startsWith(`${card0},`));
    const during = on0.filter((c) => c.tick > out + 20_000 && c.tick < back);
    assert.deepEqual(during, [], "no flip of card0 while its display is out (after the frame that saw it)");
    const relit = on0.filter((c) => c.tick > back);
    assert.equal(Number(relit[0]?.input!["flags"]), 0x601, "a new mode set with ALLOW_MODESET");
    assert.ok(relit.length >= 10, `card0 flipped ${relit.length} times after its display came back`);
    const c1 = flipsAround(step.calls, out).get("card1")!;
    assert.ok(c1.before >= 10 && c1.after >= 40, JSON.stringify(c1));
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
      "      kms: atomc",
      "  d:",
      "    - wait: lit",
      "    - wait: lot",
      "",
    ].join("\n");
    assert.deepEqual(errorsOf(text), [
      'test.yaml:8:19: program e, step 1 compositor: unknown compositor "robst" (did you mean "robust"?); expected one of robust, naive',
      "test.yaml:10:15: program e, step 1 frames: Too small: expected number to be >=1",
      'test.yaml:11:12: program e, step 1 kms: unknown kms "atomc" (did you mean "atomic"?); expected one of atomic, legacy',
      'test.yaml:14:13: program d, step 2 wait: no program signals "lot" (did you mean "lit"?)',
    ]);
  });
});
