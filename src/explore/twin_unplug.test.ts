/**
 * The Promela twin against SPIN (issue 12, item 5): the explicit-state search of the twin of
 * ../shared/explore/unplug.pml stores exactly as many states, and matches exactly as many, as
 * SPIN 6.5.2's exhaustive search (`spin -DN_USERS=N -DK_IOCTLS=K -a unplug.pml; gcc -O2
 * -DSAFETY pan.c; ./pan`), in both search orders; each broken switch is found, and the
 * breadth-first search finds it after SPIN's shortest trail (`./pan -i`): BUG_NO_ENTER 7,
 * BUG_DEVM K + 6, BUG_WAIT_USERS N + K + 3 transitions.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { searchModel, spinTransitions, unplugTwin, type UnplugTwinOptions } from "./mod.js";

/** [N, K, NEVER_CLOSE, states stored, states matched], as SPIN 6.5.2 reports them. */
const SPIN: readonly (readonly [number, number, boolean, number, number])[] = [
  [2, 2, false, 460, 592], // the README's table: 1,052 transitions
  [3, 2, false, 4954, 10338], // 15,292
  [2, 2, true, 414, 522], // 936
  [3, 2, true, 4494, 9287], // 13,781
  [1, 0, false, 24, 11],
  [1, 5, false, 79, 46],
  [2, 0, false, 116, 120],
  [2, 5, false, 1501, 2110],
  [3, 0, false, 564, 920],
  [3, 3, false, 10545, 23069],
  [3, 5, false, 32449, 74445],
  [4, 1, false, 14545, 38556],
  [4, 2, false, 56500, 164720], // 221,220
  [5, 1, false, 115145, 391707], // 506,852; N=5 K=5 (18,028,249 states) is npm run bench's
];

describe("the Promela twin of unplug.pml against SPIN", () => {
  for (const [n, k, neverClose, stored, matched] of SPIN) {
    const what = `N=${n} K=${k}${neverClose ? " NEVER_CLOSE" : ""}`;
    it(`searchModel() stores ${stored} states and matches ${matched} at ${what}, as SPIN does`, () => {
      for (const mode of ["dfs", "bfs"] as const) {
        const r = searchModel(unplugTwin({ users: n, ioctls: k, neverClose }), { mode });
        assert.equal(r.stoppedBy, "complete", mode);
        assert.equal(r.violation, null, mode);
        assert.equal(r.stats.stored, stored, mode);
        assert.equal(r.stats.matched, matched, mode);
        assert.equal(spinTransitions(r.stats), stored + matched);
      }
    });
  }

  const SWITCHES: readonly [keyof UnplugTwinOptions, string, (n: number, k: number) => number][] = [
    ["bugNoEnter", "hardware-after-unplug", () => 7],
    ["bugDevm", "use-after-free", (_n, k) => k + 6],
    ["bugWaitUsers", "hang", (n, k) => n + k + 3],
  ];
  for (const [name, kind, length] of SWITCHES) {
    it(`${name}: found as ${kind}, the shortest run as long as SPIN's`, () => {
      for (const [n, k] of [[1, 1], [2, 2], [3, 2], [2, 4], [4, 1]] as const) {
        const model = unplugTwin({ users: n, ioctls: k, [name]: true });
        const dfs = searchModel(model, { mode: "dfs" });
        assert.equal(dfs.violation?.kind, kind, `dfs N=${n} K=${k}`);
        const bfs = searchModel(model, { mode: "bfs" });
        assert.equal(bfs.violation?.kind, kind, `bfs N=${n} K=${k}`);
        assert.equal(bfs.violation.trail.length, length(n, k), `N=${n} K=${k}`);
        assert.ok(dfs.violation.trail.length >= bfs.violation.trail.length);
      }
    });
  }

  it("the devm counterexample frees the container in remove() and touches it in drm_release", () => {
    const r = searchModel(unplugTwin({ users: 2, ioctls: 2, bugDevm: true }), { mode: "bfs" });
    const fns = r.violation?.trail.map((t) => t.fn) ?? [];
    assert.equal(fns.at(-1), "drm_release");
    assert.ok(fns.indexOf("devres_release_all: drm_dev_put") < fns.length - 1, fns.join());
    assert.equal(fns.filter((f) => f === "drm_dev_enter: ENODEV").length, 2, fns.join());
  });

  it("a depth bound stops the expansion: fewer states, and no violation beyond it", () => {
    const full = searchModel(unplugTwin({ users: 2, ioctls: 2 }), { mode: "bfs" });
    const cut = searchModel(unplugTwin({ users: 2, ioctls: 2 }), { mode: "bfs", depthMax: 5 });
    assert.ok(cut.stats.stored < full.stats.stored);
    assert.equal(cut.stats.depthMax, 5);
    const devm = searchModel(unplugTwin({ users: 2, ioctls: 2, bugDevm: true }), { mode: "bfs", depthMax: 6 });
    assert.equal(devm.violation, null);
  });
});
