import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Idr, idrAlloc } from "./idr.js";

/** The answer idr_alloc(idr, ptr, 1, 0) gives: the lowest id from 1 not in the table. */
function lowestFreeByScan(ids: ReadonlyMap<number, unknown>): number {
  let id = 1;
  while (ids.has(id)) id++;
  return id;
}

test("idrAlloc() hands out 1, 2, 3 and then the lowest id freed", () => {
  const idr = new Idr<string>();
  assert.deepEqual(["a", "b", "c", "d"].map((v) => idrAlloc(idr, v)), [1, 2, 3, 4]);
  idr.delete(3);
  idr.delete(2);
  assert.equal(idrAlloc(idr, "e"), 2);
  assert.equal(idrAlloc(idr, "f"), 3);
  assert.equal(idrAlloc(idr, "g"), 5);
  assert.deepEqual([...idr.keys()].sort(), [1, 2, 3, 4, 5]);
  assert.deepEqual([2, 3, 5].map((id) => idr.get(id)), ["e", "f", "g"]);
});

test("the freed ids come back lowest first, whatever order they were freed in and however many were taken back directly", () => {
  const idr = new Idr<string>();
  for (let i = 1; i <= 9; i++) idrAlloc(idr, "old");
  for (const id of [2, 3, 9, 7, 5, 8, 4, 6]) idr.delete(id);
  idr.set(2, "direct");
  idr.set(4, "direct");
  const again = Array.from({ length: 7 }, () => idrAlloc(idr, "new"));
  assert.deepEqual(again, [3, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual([...idr.keys()].sort((a, b) => a - b), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const other = new Idr<string>();
  for (let i = 1; i <= 9; i++) idrAlloc(other, "old");
  for (const id of [3, 1, 7, 2, 5, 8, 4]) other.delete(id);
  other.set(3, "direct");
  assert.deepEqual(Array.from({ length: 7 }, () => idrAlloc(other, "new")), [1, 2, 4, 5, 7, 8, 10]);
});

test("an id set directly, or replaced, is not handed out again; clear() starts from 1", () => {
  const idr = new Idr<string | null>();
  idr.set(1, "direct");
  idr.set(3, "direct");
  assert.equal(idrAlloc(idr, "a"), 2);
  assert.equal(idrAlloc(idr, "b"), 4);
  idr.delete(2);
  idr.set(2, "again"); // set directly after it was freed: its freed entry is stale
  idr.set(4, null); // idr_replace()
  assert.equal(idrAlloc(idr, "c"), 5);
  assert.equal(idr.delete(7), false, "deleting an id not there says so");
  idr.clear();
  assert.equal(idrAlloc(idr, "d"), 1);
});

test("idrAlloc() always gives the lowest free id, whatever the allocations, deletes and sets before", () => {
  const op = fc.oneof(
    fc.record({ kind: fc.constant("alloc" as const) }),
    fc.record({ kind: fc.constant("delete" as const), id: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant("set" as const), id: fc.integer({ min: 1, max: 40 }) }),
  );
  fc.assert(
    fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
      const idr = new Idr<number>();
      const model = new Map<number, number>();
      ops.forEach((o, i) => {
        if (o.kind === "alloc") {
          const want = lowestFreeByScan(model);
          model.set(want, i);
          assert.equal(idrAlloc(idr, i), want, `allocation ${i}`);
        } else if (o.kind === "delete") {
          assert.equal(idr.delete(o.id), model.delete(o.id));
        } else {
          idr.set(o.id, i);
          model.set(o.id, i);
        }
      });
      assert.deepEqual([...idr].sort((a, b) => a[0] - b[0]), [...model].sort((a, b) => a[0] - b[0]));
    }),
  );
});
