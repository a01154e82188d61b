import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { DrmVmaOffsetManager } from "./vma_offset.js";

/**
 * First fit by a scan of the sorted ranges, as drm_mm's answer is defined: the lowest start
 * from `first` where `pages` pages overlap no range and end by `first + size`; null if none.
 */
function firstFitByScan(ranges: ReadonlyMap<number, number>, first: number, size: number, pages: number): number | null {
  let start = first;
  for (const [s, n] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (start + pages <= s) break;
    start = Math.max(start, s + n);
  }
  return start + pages <= first + size ? start : null;
}

test("objects go at the lowest hole that fits, and a freed range is merged with its neighbours", () => {
  const mgr = new DrmVmaOffsetManager<string>(16n, 10n);
  assert.deepEqual(["a", "b", "c"].map((o, i) => mgr.add(o, i + 1)), [16n, 17n, 19n]); // a 16, b 17-18, c 19-21
  assert.equal(mgr.delete(17n), true);
  assert.equal(mgr.add("d", 3), 22n, "the 2-page hole at 17 is too small for 3");
  assert.equal(mgr.add("e", 2), 17n, "and just right for 2");
  assert.equal(mgr.delete(16n), true);
  assert.equal(mgr.delete(17n), true);
  assert.equal(mgr.add("f", 3), 16n, "16 and 17-18 merged into one 3-page hole");
  assert.deepEqual([16n, 19n, 22n].map((p) => mgr.get(p)), ["f", "c", "d"]);
  assert.equal(mgr.get(17n), undefined, "only the first page of a range finds it");
  assert.equal(mgr.size, 3);
  assert.equal(mgr.add("g", 2), null, "one page left at 25: ENOSPC for two");
  assert.equal(mgr.add("h", 1), 25n);
  assert.equal(mgr.delete(25n), true);
  assert.equal(mgr.delete(25n), false, "a range freed twice is not there the second time");
});

test("placement matches first fit by a scan, whatever the adds and removes before", () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant("add" as const), pages: fc.integer({ min: 1, max: 9 }) }),
    fc.record({ kind: fc.constant("remove" as const), pick: fc.nat() }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 150 }), (ops) => {
      const first = 0x100000;
      const size = 64;
      const mgr = new DrmVmaOffsetManager<number>(BigInt(first), BigInt(size));
      const model = new Map<number, number>();
      ops.forEach((o, i) => {
        if (o.kind === "add") {
          const want = firstFitByScan(model, first, size, o.pages);
          assert.equal(mgr.add(i, o.pages), want === null ? null : BigInt(want), `add ${i} of ${o.pages} pages`);
          if (want !== null) model.set(want, o.pages);
        } else if (model.size > 0) {
          const starts = [...model.keys()];
          const start = starts[o.pick % starts.length]!;
          model.delete(start);
          assert.equal(mgr.delete(BigInt(start)), true);
        }
      });
      assert.equal(mgr.size, model.size);
    }),
  );
});
