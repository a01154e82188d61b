/**
 * `vdrm recoveryd` on a fake machine (a sysfs, procfs and /dev tree in a temporary
 * directory), fed by a fake `udevadm` on PATH that prints recorded WEDGED events: the writes
 * it prints and makes, in order, nothing outside the roots, refusals, a burst, a kill in the
 * middle of a recovery, and `status`.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { BUS_ID, CARD0, fakeMachine, fakeUdevadm, snapshot, wedgedText, type FakeMachine } from "../recoveryd/fake_machine.js";
import { assertRefused, vdrm } from "./_test_cli.js";
import { startDaemon, type Daemon } from "./_test_daemon.js";

function config(m: FakeMachine, extra = "", settleSeconds = 0): string {
  const path = join(m.dir, "recoveryd.yaml");
  writeFileSync(path, [
    `sysfs: ${m.sys}`, `procfs: ${m.proc}`, `dev: ${m.dev}`, `journal: ${m.journal}`, `telemetryDir: ${m.telemetry}`,
    "kernelLog: [/bin/echo, 'xe 0000:03:00.0: [drm] *ERROR* GT0: reset failed']", "listen: 'off'",
    `methods: { settleSeconds: ${settleSeconds} }`, "verify: { timeoutSeconds: 1 }", extra,
  ].join("\n"));
  return path;
}

function daemonOn(m: FakeMachine, events: string, args: readonly string[], extra = "", settleSeconds = 0): Daemon {
  fakeUdevadm(m, events);
  return startDaemon(["--config", config(m, extra, settleSeconds), ...args], { PATH: `${m.bin}:${process.env["PATH"]}` });
}

/** The files that changed between two snapshots of the fake machine, but the test's own inputs and the daemon's state. */
function changed(m: FakeMachine, before: Map<string, string>, after: Map<string, string>): string[] {
  const inputs = [join(m.dir, "state/"), join(m.dir, "bin/"), join(m.dir, "events.txt"), join(m.dir, "recoveryd.yaml")];
  return [...after.keys()].filter((k) => before.get(k) !== after.get(k) && !inputs.some((i) => k.startsWith(i))).sort();
}

const UNBIND = (m: FakeMachine): string => `${m.sys}/bus/pci/drivers/xe/unbind`;
const BIND = (m: FakeMachine): string => `${m.sys}/bus/pci/drivers/xe/bind`;
const DONE = /"msg":"(rebind|bus-reset) of 0000:03:00.0: [\w-]+"/;

describe("vdrm recoveryd against a fake tree", () => {
  test("dry run: prints the rebind's exact writes in order and writes nothing", async () => {
    const m = fakeMachine();
    const before = snapshot(m.sys);
    const d = daemonOn(m, wedgedText(), []);
    await d.waitFor(DONE, "stderr");
    assert.equal(await d.stop(), 0, d.stderr);
    const writes = d.stdout.split("\n").filter((l) => l.startsWith("dry-run: write"));
    assert.deepEqual(writes, [`dry-run: write ${UNBIND(m)} "${BUS_ID}"`, `dry-run: write ${BIND(m)} "${BUS_ID}"`]);
    assert.match(d.stdout, /^dry-run: collect telemetry of 0000:03:00.0 \(devcoredumps, kernel log\) into /m);
    assert.doesNotMatch(d.stdout, /^wrote /m);
    assert.deepEqual(snapshot(m.sys), before);
    assert.match(d.stderr, /dry run: nothing is written \(give --apply to act\)/);
  });

  test("--apply: writes unbind then bind, verifies card0, journals each step, touches nothing else", async () => {
    const m = fakeMachine();
    const before = snapshot(m.dir);
    const d = daemonOn(m, wedgedText(), ["--apply"]);
    await d.waitFor(DONE, "stderr");
    assert.equal(await d.stop(), 0, d.stderr);
    assert.deepEqual(d.stdout.split("\n").filter((l) => l.startsWith("wrote")), [`wrote ${UNBIND(m)} "${BUS_ID}"`, `wrote ${BIND(m)} "${BUS_ID}"`]);
    assert.match(d.stderr, /"msg":"rebind of 0000:03:00.0: recovered".*"detail":"card0 is back and opens"/);
    const after = snapshot(m.dir);
    assert.deepEqual(changed(m, before, after), [BIND(m), UNBIND(m)].sort());
    assert.equal(readFileSync(UNBIND(m), "utf8"), BUS_ID);
    assert.equal(readFileSync(BIND(m), "utf8"), BUS_ID);
    const journal = readFileSync(m.journal, "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(journal.filter((r) => r["type"] === "step").map((r) => `${String(r["index"])} ${String(r["phase"])}`), ["0 begin", "0 end", "2 begin", "2 end"]);
    const dumps = [...after.keys()].filter((k) => k.endsWith("devcd1.data"));
    assert.equal(dumps.length, 1, "the devcoredump was saved");
    assert.equal(readFileSync(dumps[0]!, "utf8"), "xe devcoredump: GuC hang\n");
    const status = vdrm(["recoveryd", "status", "--config", join(m.dir, "recoveryd.yaml")]);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /^0000:03:00.0 card0: recovered; 1 applied attempt in the window$/m);
    assert.match(status.stdout, /last recovery r1 .*: rebind, recovered \(card0 is back and opens\)/);
  });

  test("a device held by a process is not recovered under the refuse policy", async () => {
    const m = fakeMachine({ holder: true });
    const before = snapshot(m.sys);
    const d = daemonOn(m, wedgedText(), ["--apply"]);
    await d.waitFor(/"msg":"rebind of 0000:03:00.0: refused"/, "stderr");
    assert.equal(await d.stop(), 0);
    assert.doesNotMatch(d.stdout, /wrote/);
    assert.match(d.stderr, /in use by glxgears \(pid 4242: fd 3 \/dev\/dri\/card0, map \/dev\/dri\/card0\)/);
    assert.deepEqual(snapshot(m.sys), before);
  });

  test("a DEVPATH that leaves the sysfs root, or a card whose device is outside it, is refused and logged", async () => {
    const m = fakeMachine();
    const escape = "/devices/../../outside/drm/card0";
    const before = snapshot(m.dir);
    const d = daemonOn(m, wedgedText(escape, "rebind", 1) + wedgedText("/devices/virtual/drm/card7", "rebind", 2), ["--apply"]);
    await d.waitFor(/card7 does not exist/, "stderr");
    assert.equal(await d.stop(), 0);
    assert.match(d.stderr, /"msg":"refused WEDGED event: DEVPATH \\"\/devices\/..\/..\/outside\/drm\/card0\\" is not a path under \/devices"/);
    assert.equal(d.stdout, "");
    assert.deepEqual(changed(m, before, snapshot(m.dir)), []);
    assert.equal(readFileSync(m.canary, "utf8"), "untouched\n");
  });

  test("a burst of WEDGED events makes one recovery, not a loop", async () => {
    const m = fakeMachine();
    const burst = [1, 2, 3, 4, 5].map((i) => wedgedText(CARD0, "rebind,bus-reset", 5000 + i)).join("");
    const d = daemonOn(m, burst, [], "ladder: { backoffSeconds: 3600 }");
    await d.waitFor(DONE, "stderr");
    await d.waitFor(/received during its recovery|waiting \d+ ms \(backoff after attempt 1\)/, "stderr");
    assert.equal(await d.stop(), 0);
    assert.equal(d.stdout.split("\n").filter((l) => l.startsWith("dry-run: write")).length, 2, d.stdout);
    assert.equal((d.stderr.match(/"msg":"rebind of 0000:03:00.0: dry-run"/g) ?? []).length, 1);
  });

  test("killed between unbind and bind, the restarted daemon binds without unbinding again", async () => {
    const m = fakeMachine();
    const first = daemonOn(m, wedgedText(), ["--apply"], "", 600);
    await first.waitFor(/^wrote .*\/unbind /m);
    assert.equal(await first.stop("SIGKILL"), "SIGKILL");
    writeFileSync(UNBIND(m), "");
    const second = daemonOn(m, "", ["--apply"]);
    await second.waitFor(DONE, "stderr");
    assert.equal(await second.stop(), 0, second.stderr);
    assert.match(second.stderr, /"msg":"resuming r1: rebind of 0000:03:00.0, 1 of 2 steps begun before the restart"/);
    assert.deepEqual(second.stdout.split("\n").filter((l) => l !== ""), [`wrote ${BIND(m)} "${BUS_ID}"`]);
    assert.equal(readFileSync(UNBIND(m), "utf8"), "", "unbind was not written again");
    assert.match(second.stderr, /"msg":"rebind of 0000:03:00.0: recovered"/);
  });

  test("bad configuration: exit 2 with file, line and column", () => {
    const m = fakeMachine();
    const path = join(m.dir, "bad.yaml");
    writeFileSync(path, "consumers:\n  policy: kill-them\nladder:\n  atempts: 3\n");
    const r = vdrm(["recoveryd", "check", path]);
    assertRefused(r, `${path}:2:11: consumers.policy: Invalid option: expected one of "refuse"|"wait"|"notify"|"stop-units"`);
    assert.deepEqual(r.stderr.split("\n").slice(1), [`${path}:4:3: ladder: unknown key "atempts"`, "vdrm recoveryd: 2 errors in the configuration; nothing was started", ""]);
  });

  test("the example configuration is valid; a missing one, or a sysfs root that is not there, is refused", () => {
    const ok = vdrm(["recoveryd", "check", "contrib/recoveryd/recoveryd.yaml"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, "contrib/recoveryd/recoveryd.yaml: valid\n");
    assertRefused(vdrm(["recoveryd", "--config", "/nonexistent/r.yaml"]), "vdrm recoveryd: cannot read the configuration /nonexistent/r.yaml: no such file or directory (ENOENT)");
    const m = fakeMachine();
    assertRefused(vdrm(["recoveryd", "--config", config(m), "--sysfs", "/nonexistent/sys"]), "vdrm recoveryd: the sysfs root /nonexistent/sys cannot be read: no such file or directory (ENOENT)");
    assertRefused(vdrm(["recoveryd", "--config", config(m), "--sysfs", "relative/sys"]), 'vdrm recoveryd: --sysfs takes an absolute path, not "relative/sys"');
  });
});
