/**
 * `vdrm exec` as a user runs it: the exit code is the model's finding class when the model
 * found something, else the real program's status; the real program's calls are printed;
 * bad input is exit 2 before anything runs.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { execSkipReason } from "../exec/_test_exec.js";
import { vdrm } from "./_test_cli.js";

const skip = execSkipReason();

describe("vdrm exec's exit code and output", { skip: skip ?? false }, () => {
  it("exits 3 when a shell holding the card of a devm driver makes the model find a use-after-free", () => {
    const r = vdrm(["exec", "fixtures/exec/devm-lateclose.yaml", "--program", "client", "--",
      "sh", "-c", "exec 3<>/dev/dri/card0; sleep 1.5"]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stdout, /memory: BUG: KASAN: use-after-free write of vdisp_devm_device .* in drm_release\n/);
    assert.match(r.stdout, /\nverdict: memory\n/);
    assert.match(r.stdout, /\ncalls of the real program client:\n\[ *[0-9.]+\] client open\(\/dev\/dri\/card0\) = 3\n/);
    assert.match(r.stdout, /\] client close\(3\) = 0\nreal program client \(sh\): exit status 0;/);
  });

  it("exits with the real program's status when the model finds nothing", () => {
    const r = vdrm(["exec", "fixtures/exec/bridge-bench.yaml", "--program", "client", "--", "sh", "-c", "exit 5"]);
    assert.equal(r.code, 5, r.stderr);
    assert.match(r.stdout, /\nverdict: pass\n/);
    assert.match(r.stdout, /real program client \(sh\): exit status 5; 0 uevents delivered to its monitors\n/);
  });
});

describe("vdrm exec's bad input", () => {
  it("refuses a program the scenario does not have, with exit 2 and its programs", () => {
    const r = vdrm(["exec", "scenarios/exec-unplug-client.yaml", "--program", "nobody", "--", "true"]);
    assert.equal(r.code, 2);
    assert.equal(r.err1, 'vdrm exec: scenarios/exec-unplug-client.yaml has no program "nobody" (its programs: client, admin)');
  });

  it("refuses a call without the real program, with exit 2", () => {
    const r = vdrm(["exec", "scenarios/exec-unplug-client.yaml", "--program", "client"]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /missing required argument 'cmd'/);
  });
});
