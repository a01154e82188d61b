/**
 * The scenarios of `vdrm exec` run in the model alone (their client a model program), over
 * several seeds: the wedge met by a client holding the card (xe's ECANCELED, then the rebind's
 * card1), dup and poll of a DRM fd (a copy is the same open file: its handles, its event
 * queue, its life until the last copy is closed), and the waits select and epoll stand for.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { runs, unmet } from "./_test_builtin.js";

test("the exec scenarios pass in the model on every seed", () => {
  for (const name of ["exec-wedge-client", "exec-poll-dup-client", "exec-select-epoll-client"]) {
    for (const run of runs(name, 4)) assert.equal(run.verdict, "pass", `${name} seed ${run.seed}: ${unmet(run)}`);
  }
});

test("dup gives the lowest free fd for the same file, which outlives the original's close", () => {
  const [run] = runs("exec-poll-dup-client", 1);
  const steps = run!.steps;
  const at = (text: string) => steps.find((s) => s.text === text)?.outcome;
  assert.deepEqual(at("dup 4"), { status: "ok", fields: { fd: 5 } });
  assert.deepEqual(at("dup 4 F_DUPFD_CLOEXEC"), { status: "ok", fields: { fd: 6 } });
  // the handle made through fd 4 is known through fd 5: one drm_file
  assert.equal(at("ioctl 5, DRM_IOCTL_MODE_MAP_DUMB {handle=1}")?.status, "ok");
  // after close 4, fd 5 still names the open file
  const version = at("ioctl 5, DRM_IOCTL_VERSION {name_len=16}");
  assert.equal(version?.status === "ok" ? version.fields["name"] : null, "vdisp");
});
