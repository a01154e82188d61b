/**
 * `vdrm conformance` as a user runs it: the table, the negative controls, the real-kernel
 * claims, JUnit XML, the exit code, a failure's replay command (which reproduces it), and bad
 * input refused before anything runs.
 */
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { assertRefused, ROOT, vdrm } from "./_test_cli.js";

function scratch(): string {
  return mkdtempSync(join(tmpdir(), "vdrm-conformance-"));
}

/** r38's case with another expectation for GET_CAP after the unplug, in a directory of its own. */
function changedCase(dir: string, expect: string, extra = ""): string {
  const text = readFileSync(join(ROOT, "conformance/r38-ioctl-after-unplug.yaml"), "utf8")
    .replace(/  catches: .*\n/, "")
    .replace("args: { capability: 1 }\n      expect: ENODEV", `args: { capability: 1 }\n      expect: ${expect}`)
    .replace("  drivers: [vdisp, bochs-drm, vtest, virtio-gpu, xe]\n", `  drivers: [vdisp, vtest]\n${extra}`)
    .replace(/  realkernel:\n(    - .*\n)+/, "");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "r38-changed.yaml"), text);
  return join(dir, "r38-changed.yaml");
}

describe("vdrm conformance", () => {
  it("runs a requirement's case on each driver, profile and version; controls; real kernel; JUnit", () => {
    const junit = join(scratch(), "out", "conformance.xml");
    const r = vdrm(["conformance", "--only", "R35", "--seeds", "2", "--workers", "2", "--junit", junit]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^requirement +case +driver +profile +kernels +verdict$/m);
    for (const d of ["vdisp", "bochs-drm", "vtest", "virtio-gpu", "xe"]) {
      assert.match(r.stdout, new RegExp(`^R35 +r35-open-gone-enodev +${d} +mainline +6\\.8-7\\.1 +pass \\(2 seeds\\)$`, "m"));
    }
    assert.match(r.stdout, /^ {2}vdisp-devm \(correct sibling vdisp\): fails r35-open-gone-enodev \(warn\) as declared; passes the other 0: ok$/m);
    assert.match(r.stdout, /^ {2}vdisp-dma \(correct sibling vdisp\): fails no case as declared; passes the other 1: ok$/m);
    assert.match(r.stdout, /r35-open-gone-enodev +linux-6\.12-bochs-pciehp\.jsonl b_unbind +call open old node path -> -1 ENOENT +real 1, model matches 1/);
    assert.match(r.stdout, /^time: \d+\.\d s \(\d+ scenario runs answering \d+ case versions; 2 workers; load average [\d. ]+\)$/m);
    assert.match(r.stdout, /\nverdict: pass\n$/);
    const xml = readFileSync(junit, "utf8");
    assert.match(xml, /<testsuite name="conformance" tests="5" failures="0">/);
    assert.match(xml, /<testcase classname="R35" name="r35-open-gone-enodev xe mainline 6\.8-7\.1"\/>/);
    assert.match(xml, /<testsuite name="negative controls" tests="\d+" failures="0">/);
  });

  it("a failing case exits 1 and prints the command that replays it, which fails the same way", () => {
    const dir = join(scratch(), "cases");
    changedCase(dir, "ENXIO");
    const r = vdrm(["conformance", "--dir", dir, "--seeds", "1", "--workers", "1", "--profile", "mainline", "--kernel", "7.1"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^R38 +r38-changed +vtest +mainline +7\.1 +expectation \(1 of 1 seeds\)$/m);
    const replay = /^ {4}replay: vdrm run (\S+) --replay (\S+) --driver vtest$/m.exec(r.stdout);
    assert.ok(replay, r.stdout);
    const again = vdrm(["run", replay[1]!, "--replay", replay[2]!, "--driver", "vtest"]);
    assert.equal(again.code, 1, again.stdout + again.stderr);
    assert.match(again.stdout, /DRM_IOCTL_GET_CAP .* = -1 ENODEV {2}FAILED/);
  });

  it("a broken driver that does not fail as its case declares fails the suite", () => {
    const dir = join(scratch(), "cases");
    changedCase(dir, "ENODEV", "  catches: { vtest-nosignal: hang }\n");
    const r = vdrm(["conformance", "--dir", dir, "--seeds", "1", "--workers", "1", "--driver", "vtest-nosignal"]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /^ {4}r38-changed: declares vtest-nosignal caught as hang, but it passes$/m);
  });

  it("refuses bad input before running anything", () => {
    assertRefused(vdrm(["conformance", "--only", "R999"]), "vdrm conformance: --only R999: no case checks it");
    assertRefused(vdrm(["conformance", "--markdown"]), "vdrm conformance: --markdown goes with --diff");
    const dir = join(scratch(), "cases");
    const file = changedCase(dir, "ENODEV", "  profiles: [mainlin]\n");
    const r = vdrm(["conformance", "--dir", dir]);
    assertRefused(r, `${file}: conformance.profiles.0: unknown profile "mainlin" (did you mean "mainline"?); expected one of mainline, uapi-doc`);
    assert.match(r.stderr, /\nvdrm conformance: 1 problem in the case files; nothing was run\n$/);
  });
});
