/**
 * The two broken drivers of issue 9 at the command line: `vdrm run` of their built-in
 * scenarios says `caught` (exit 0); the same files without the declared finding exit 4 (hang)
 * and print the finding that names the waiting task and what it waits for: the sysfs writer
 * stuck in vdisp-waitclose's remove(), the program waiting for a fence vtest-nosignal never
 * signals (with the fence and its device), also in the JSON output.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT, scratchDir, scratchFile, vdrmArgs as vdrm } from "./_test_cli.js";

const tmp = scratchDir();
const WAITCLOSE = "scenarios/remove-waits-for-close.yaml";
const NOSIGNAL = "scenarios/unplug-leaves-fence-unsignalled.yaml";
const CLOSE_WAIT = "the last close of drm_device#1 (card0) (vdisp-waitclose remove() waits for " +
  "userspace; still open: card0 of pid 1000)";

/** The built-in scenario `file` without its `checks.findings` line, as a scratch file. */
function undeclared(file: string): string {
  const text = readFileSync(join(ROOT, file), "utf8");
  const without = text.replace(/^ {2}findings: .*\n/m, "");
  assert.notEqual(without, text);
  return scratchFile(tmp, file.replace("scenarios/", ""), without);
}

describe("vdisp-waitclose: remove() waits for every file to close", () => {
  it("its built-in scenario is caught: exit 0, the expected hang names the sysfs writer", () => {
    const r = vdrm("run", WAITCLOSE);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.ok(r.stdout.includes(
      `\n  hang (expected): hang: no task can run; admin waits on ${CLOSE_WAIT}\n`), r.stdout);
    assert.match(r.stdout, /\nverdict: caught\n$/);
  });

  it("undeclared, the hang exits 4 and says who waits, for what, and where", () => {
    const r = vdrm("run", undeclared(WAITCLOSE));
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.ok(r.stdout.includes(
      `\nfindings:\n  hang: hang: no task can run; admin waits on ${CLOSE_WAIT}\n` +
      `    waiter: admin on ${CLOSE_WAIT} since t=`), r.stdout);
    assert.match(r.stdout, /, vdisp_waitclose_remove in task admin at step \d+, t=\d+ \[sys_write_file > vdisp-waitclose remove\]\n/);
    assert.match(r.stdout, /admin#3 \(line 30\): write_file\(\/sys\/bus\/pci\/drivers\/vdisp-waitclose\/unbind, "0000:01:00\.0"\) since 0\.\d{6}, asleep uninterruptibly on the last close .*; a kernel hang \(see findings\); killed at shutdown\n/);
    assert.match(r.stdout, /\nverdict: hang\nreplay: vdrm run /);
  });
});

describe("vtest-nosignal: fences left unsignalled at unplug", () => {
  const FENCE = String.raw`dma_fence vtest:card0:1:([12]) of 0000:01:00\.0`;

  it("its built-in scenario is caught: exit 0, the expected finding names fence, device and waiter", () => {
    const r = vdrm("run", NOSIGNAL);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(String.raw`\n  hang \(expected\): hang: ${FENCE} is never ` +
      String.raw`signalled; client waits on drm_syncobj_wait on vtest:card0:1:\1\n`));
    assert.match(r.stdout, /\nverdict: caught\n$/);
  });

  it("undeclared, the never-signalled fence exits 4, in the timeline and the JSON", () => {
    const file = undeclared(NOSIGNAL);
    const r = vdrm("run", file);
    assert.equal(r.code, 4, r.stdout + r.stderr);
    assert.match(r.stdout, new RegExp(String.raw`\nfindings:\n  hang: hang: ${FENCE} is never ` +
      String.raw`signalled; client waits on drm_syncobj_wait on vtest:card0:1:\1\n` +
      String.raw`    waiter: client on drm_syncobj_wait on vtest:card0:1:\1 since t=\d+, `));
    assert.match(r.stdout, /\nverdict: hang\n/);
    const json = vdrm("run", file, "--json");
    assert.equal(json.code, 4);
    const o = JSON.parse(json.stdout) as { verdict: string; findings: Record<string, unknown>[] };
    assert.equal(o.verdict, "hang");
    const [f, ...more] = o.findings;
    assert.deepEqual(more, []);
    assert.deepEqual([f?.["kind"], f?.["class"], f?.["expected"]], ["fence-never-signalled", "hang", false]);
    assert.match(String(f?.["fence"]), new RegExp(`^${FENCE}$`));
    const waiters = f?.["waiters"] as { task: string; reason: string }[];
    assert.deepEqual(waiters.map((w) => w.task), ["client"]);
  });
});
