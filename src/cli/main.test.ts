/**
 * The built command's main paths: run (timeline, JSON, output files, bad files and flags),
 * demo, and the verdict wording shared by the terminal and the HTML report.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ROOT, scratchDir, scratchFile, UNMET, vdrmArgs as vdrm } from "./_test_cli.js";

const tmp = scratchDir();

function scenarioFile(name: string, text: string): string {
  return scratchFile(tmp, name, text);
}

describe("vdrm run", () => {
  it("passes a built-in scenario with exit 0; the timeline shows uevents as udevadm does", () => {
    const r = vdrm("run", "scenarios/hotunplug-lateclose.yaml");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /app#9 +ioctl 3, DRM_IOCTL_VERSION = -1 ENODEV {2}\(expected ENODEV\)/);
    assert.match(r.stdout, new RegExp(String.raw`uevent +KERNEL\[0\.\d{6}\] remove +` +
      String.raw`/devices/pci0000:00/0000:00:01\.0/0000:01:00\.0/drm/card0 \(drm\)\n` +
      String.raw` +ACTION=remove\n`));
    assert.match(r.stdout,
      /DEVNAME=\/dev\/dri\/card0\n +DEVTYPE=drm_minor\n +SEQNUM=9\n +MAJOR=226\n +MINOR=0\n/);
    assert.match(r.stdout, /verdict: pass\n$/);
    assert.doesNotMatch(r.stdout, /replay:/);
  });

  it("exits 1 when an expectation is not met, and prints why and the replay command", () => {
    const f = scenarioFile("unmet.yaml", UNMET);
    const r = vdrm("run", f, "--seed", "42");
    assert.equal(r.code, 1);
    assert.ok(r.stdout.includes(
      "a#1    open /dev/dri/card0 = fd=3 path=/dev/dri/card0 node=card0  FAILED\n" +
      "              expected ENODEV, got success (line 3)"), r.stdout);
    assert.match(r.stdout, new RegExp(`replay: vdrm run ${f} --replay v1\\.[\\w-]+\n`));
    assert.ok(r.stdout.includes(`seed: vdrm run ${f} --seed 42 --profile mainline --kernel 7.1`));
  });

  it("exits 3 on a use-after-free not expected, with the access, free and allocation sites", () => {
    const devm = readFileSync(join(ROOT, "scenarios/hotunplug-lateclose-devm.yaml"), "utf8");
    const r = vdrm("run", scenarioFile("devm.yaml", devm.replace(/^ {2}findings:.*\n/m, "")));
    assert.equal(r.code, 3, r.stderr);
    assert.ok(r.stdout.includes("memory: BUG: KASAN: use-after-free read of vdisp_devm_device " +
      "[drm_device#1 (card0)] in drm_ioctl\n    access: drm_ioctl in task app"), r.stdout);
    assert.match(r.stdout, /freed: +devres_release_all in task admin/);
    assert.match(r.stdout, /verdict: memory\nreplay: vdrm run /);
  });

  it("exits 7 when a program ends asleep in a call the scenario did not allow to end blocked, and names the call once", () => {
    const f = scenarioFile("reader.yaml", "programs:\n  reader:\n    - open: /dev/dri/card0\n      as: card\n    - read: $card\n");
    const r = vdrm("run", f);
    assert.equal(r.code, 7, r.stdout + r.stderr);
    assert.match(r.stdout, /\n\[ *0\.\d{6}\] reader#2 read 3, 4096 = still blocked in read\(3, 4096\) since 0\.\d{6} \(asleep interruptibly on drm_read on card0\)\n/);
    assert.match(r.stdout, /\nblocked at the end:\n {2}reader#2 \(line 5\): read\(3, 4096\) since 0\.\d{6}, asleep interruptibly on drm_read on card0; not allowed \(declare may-end-blocked, or expect: blocked\); killed at shutdown\n\nverdict: blocked\nreplay: /);
    assert.doesNotMatch(r.stdout, /findings:|hang/);
    const { blocked } = JSON.parse(vdrm("run", f, "--json").stdout) as { blocked: Record<string, unknown>[] };
    assert.deepEqual(blocked.map((b) => ({ ...b, sinceUs: typeof b["sinceUs"] })), [
      { program: "reader", index: 2, line: 5, status: "blocked", call: "read(3, 4096)", wait: "drm_read on card0", state: "interruptible", sinceUs: "number", allowed: false },
    ]);
  });

  it("exits 2 on a malformed file, with located errors, and runs nothing", () => {
    const text = "programs:\n  a:\n    - ioctl: DRM_IOCTL_GETCAP\n      fd: 3\n";
    const bad = scenarioFile("bad.yaml", text);
    const good = join(ROOT, "scenarios/hotunplug-lateclose.yaml");
    const r = vdrm("run", good, bad);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, "");
    assert.ok(r.stderr.includes(`${bad}:3:14: program a, step 1 ioctl: ` +
      `unknown ioctl "DRM_IOCTL_GETCAP" (did you mean "DRM_IOCTL_GET_CAP"?)`), r.stderr);
    assert.match(r.stderr, /1 of 2 scenario files invalid; nothing was run/);
  });

  it("--json prints one object per scenario: steps, uevents, findings, the replay command", () => {
    const r = vdrm("run", "scenarios/egpu-pull.yaml", "--json", "--seed", "3", "--kernel", "6.12");
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 1);
    type Json = Record<string, unknown> & {
      steps: { program: string; call: string; result: unknown }[];
      uevents: { action: string; env: string[] }[];
    };
    const o = JSON.parse(lines[0]!) as Json;
    assert.equal(o["scenario"], "egpu-pull");
    assert.equal(o["seed"], 3);
    assert.equal(o["kernel"], "6.12");
    assert.equal(o["verdict"], "pass");
    assert.equal(o["seedCommand"],
      "vdrm run scenarios/egpu-pull.yaml --seed 3 --profile mainline --kernel 6.12");
    const stale = o.steps.find((s) => s.program === "app" && s.call.includes("GET_CAP"));
    assert.deepEqual(stale?.result, { status: "errno", errno: "ENODEV" });
    assert.ok(o.uevents.some((u) => u.action === "remove" && u.env.includes("DEVNAME=dri/card0")));
    assert.deepEqual(o["findings"], []);
  });

  it("--trace and --html write their files", () => {
    const trace = join(tmp, "t.json");
    const html = join(tmp, "r.html");
    const file = "scenarios/core_hotunplug-hotrebind.yaml";
    const r = vdrm("run", file, "--trace", trace, "--html", html);
    assert.equal(r.code, 0, r.stderr);
    type Trace = { runs: { scenario: string; events: { t: string }[] }[] };
    const t = JSON.parse(readFileSync(trace, "utf8")) as Trace;
    assert.equal(t.runs[0]!.scenario, "core_hotunplug-hotrebind");
    assert.ok(t.runs[0]!.events.some((e) => e.t === "call"));
    assert.match(readFileSync(html, "utf8"), /^<!DOCTYPE html>/i);
  });

  it("unknown flags and commands are errors with a suggestion", () => {
    const flag = vdrm("run", "scenarios/egpu-pull.yaml", "--sed", "3");
    assert.equal(flag.code, 2);
    assert.match(flag.stderr, /unknown option '--sed'\n\(Did you mean --seed\?\)/);
    const cmd = vdrm("rn");
    assert.equal(cmd.code, 2);
    assert.match(cmd.stderr, /unknown command 'rn'\n\(Did you mean run\?\)/);
    const kernel = vdrm("run", "scenarios/egpu-pull.yaml", "--kernel", "6.13");
    assert.equal(kernel.code, 2);
    assert.match(kernel.stderr, /unknown kernel version "6.13"/);
  });
});

/** Each record's title with its tab mark and verdict word, as the HTML report shows them. */
function verdictWords(html: string): Map<string, string> {
  const tabs = [...html.matchAll(/role="tab"[^>]*>(✓|✗) ([^<]+)<\/button>/g)]
    .map((m) => [m[2]!, m[1]!]);
  const words = [...html.matchAll(/data-verdict>([^<]+)</g)].map((m) => m[1]!);
  assert.equal(tabs.length, words.length);
  return new Map(tabs.map(([title, mark], i) => [title!, `${mark} ${words[i]}`]));
}

describe("vdrm run --check-footprints", () => {
  it("runs with every kernel-object access checked, says so, and the built-in story passes", () => {
    const r = vdrm("run", "scenarios/egpu-pull.yaml", "--check-footprints");
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /\n {2}seed=1 profile=mainline kernel=7\.1 devices=\S+ footprints=checked\n/);
    const plain = vdrm("run", "scenarios/egpu-pull.yaml");
    assert.doesNotMatch(plain.stdout, /footprints=/);
  });
});

describe("vdrm demo", () => {
  it("prints the table (broken driver caught), the real-kernel line and the report path", () => {
    const html = join(tmp, "demo.html");
    const r = vdrm("demo", "--html", html);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^scenario +driver +verdict +findings/);
    assert.match(r.stdout, /\nhotunplug-lateclose +vdisp +pass +-/);
    assert.match(r.stdout, new RegExp("\\nhotunplug-lateclose-devm +vdisp-devm +caught +warn x2, " +
      "use-after-free x\\d+ +vdrm run \\S*hotunplug-lateclose-devm\\.yaml --replay v1\\.[\\w-]+\\n"));
    assert.match(r.stdout, /\nremove-waits-for-close +vdisp-waitclose +caught +hang +vdrm run /);
    assert.match(r.stdout,
      /\nunplug-leaves-fence-unsignalled +vtest-nosignal +caught +fence-never-signalled +vdrm run /);
    const runs = /\n(\d+) scenarios: /.exec(r.stdout)?.[1];
    assert.ok(runs !== undefined && Number(runs) >= 12, r.stdout);
    assert.ok(r.stdout.includes(`\nreplay: ${runs} of ${runs} runs rerun from their decision lists`));
    assert.ok(r.stdout.includes(`\nfootprints: ${runs} runs rerun with every kernel-object access ` +
      "checked against its step's declared footprint: 0 undeclared\n"));
    assert.match(r.stdout,
      /Linux 6\.12 bochs recording: 191 match, 0 mismatch, 0 missing, 0 extra/);
    assert.match(r.stdout,
      /Linux 6\.12 bochs PRIME recording: 309 match, 0 mismatch, 0 missing, 0 extra/);
    assert.match(r.stdout, /\n {2}\d+ cases: (\d+) rows pass, 0 fail; negative controls (\d+) of \2 as declared; real-kernel claims (\d+) of \3 hold\n/);
    assert.ok(r.stdout.includes(`report: ${html}`));
    const words = verdictWords(readFileSync(html, "utf8"));
    assert.equal(words.get("hotunplug-lateclose-devm on vdisp-devm"), "✓ caught");
    assert.equal(words.get("hotunplug-lateclose on vdisp"), "✓ pass");
  });
});

describe("the verdict wording", () => {
  it("the timeline and the HTML report both say caught for a broken driver caught", () => {
    const html = join(tmp, "devm.html");
    const r = vdrm("run", "scenarios/hotunplug-lateclose-devm.yaml", "--html", html);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\nverdict: caught\n$/);
    const page = readFileSync(html, "utf8");
    const words = [...page.matchAll(/data-verdict>([^<]+)</g)].map((m) => m[1]);
    assert.deepEqual(words, ["caught"]);
  });
});
