import assert from "node:assert/strict";
import { test } from "node:test";
import { Sim } from "../kernel/mod.js";
import { Mm, PAGE_SIZE, Vma } from "./mm.js";
import { KFile } from "./vfs.js";

const PAGE = BigInt(PAGE_SIZE);

/** `count` VMAs of `pages` pages each at the addresses `mm` hands out, not inserted yet. */
function vmas(mm: Mm, count: number, pages = 1): Vma[] {
  const sim = new Sim({ seed: 1 });
  const file = new KFile(sim, sim.alloc("file"), "/dev/mem", null, 1);
  return Array.from({ length: count }, (_, i) => {
    const length = pages * PAGE_SIZE;
    return new Vma(sim, sim.alloc("vm_area_struct"), mm.allocRange(length), length, BigInt(i), file);
  });
}

test("find() answers the VMA holding an address, and nothing in the guard page after it", () => {
  const mm = new Mm();
  const [a, b] = vmas(mm, 2, 2);
  mm.insert(a!);
  mm.insert(b!);
  assert.equal(mm.find(a!.start), a);
  assert.equal(mm.find(a!.start + 2n * PAGE - 1n), a, "the last byte of a two-page mapping");
  assert.equal(mm.find(a!.start + 2n * PAGE), undefined, "the guard page");
  assert.equal(mm.find(b!.start + PAGE), b);
  assert.equal(mm.find(a!.start - 1n), undefined, "below every mapping");
  assert.equal(mm.findStart(b!.start), b);
  assert.equal(mm.findStart(b!.start + PAGE), undefined, "findStart() wants the first byte");
});

test("VMAs stay in address order whatever the order they were inserted in", () => {
  const mm = new Mm();
  const [a, b, c] = vmas(mm, 3);
  for (const v of [c!, a!, b!]) mm.insert(v);
  assert.deepEqual(mm.vmas, [a, b, c]);
  assert.deepEqual([a, b, c].map((v) => mm.find(v!.start)), [a, b, c]);
});

test("an unmapped VMA is found no more, and the others stay found across compaction", () => {
  const mm = new Mm();
  const all = vmas(mm, 10);
  for (const v of all) mm.insert(v);
  const gone = new Set([0, 1, 2, 4, 5, 6, 8].map((i) => all[i]!));
  for (const v of gone) mm.remove(v);
  mm.remove(all[0]!); // twice: nothing more happens
  const kept = all.filter((v) => !gone.has(v));
  assert.deepEqual(mm.vmas, kept);
  for (const v of all) assert.equal(mm.find(v.start), gone.has(v) ? undefined : v);
  for (const v of all) assert.equal(mm.findStart(v.start), gone.has(v) ? undefined : v);
  for (const v of kept) mm.remove(v);
  assert.deepEqual(mm.vmas, []);
  assert.equal(mm.find(all[9]!.start), undefined);
});
