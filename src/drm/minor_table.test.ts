/**
 * The minor-number table per profile and kernel version: lowest free in the 64-wide legacy
 * range then the shared extended range (v6.12+), lowest free and ENOSPC when full (before
 * v6.12), or PID-like cyclic allocation (uapi-doc). The userspace view of the same rules is in
 * src/world/minor_numbers.test.ts.
 *
 * @see drm_minor_alloc() in drivers/gpu/drm/drm_drv.c
 */
import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { KernelProfile } from "../base/mod.js";
import { Sim } from "../kernel/mod.js";
import type { DrmMinor } from "./minor.js";
import { DRM_MINOR_ACCEL, DRM_MINOR_PRIMARY, DRM_MINOR_RENDER, MinorTable, type DrmMinorType } from "./minor_table.js";

const V7_1: KernelProfile = { name: "mainline", version: "7.1" };
const V6_8: KernelProfile = { name: "mainline", version: "6.8" };
const DOC: KernelProfile = { name: "uapi-doc", version: "7.1" };

function allocMany(table: MinorTable, type: DrmMinorType, count: number): (number | null)[] {
  return Array.from({ length: count }, () => table.alloc(type));
}

/** A table with primaries 0..count-1 allocated, then the `holes` erased in that order. */
function primariesWithHoles(profile: KernelProfile, count: number, holes: readonly number[]): MinorTable {
  const table = new MinorTable(new Sim({ seed: 1 }), profile, "drm");
  allocMany(table, DRM_MINOR_PRIMARY, count);
  for (const index of holes) table.erase(index);
  return table;
}

const range = (lo: number, hi: number): number[] => Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);

describe("MinorTable", () => {
  test("alloc() on v6.12+ gives primaries 0-63 and renders 128-191, lowest free first (R30)", () => {
    const table = new MinorTable(new Sim({ seed: 1 }), V7_1, "drm");
    assert.deepEqual(allocMany(table, DRM_MINOR_RENDER, 64), range(128, 191));
    assert.deepEqual(allocMany(table, DRM_MINOR_PRIMARY, 64), range(0, 63));
  });

  test("alloc() on v6.12+ falls back to the shared range from 192 when the legacy range is full (R30)", () => {
    const table = new MinorTable(new Sim({ seed: 1 }), V7_1, "drm");
    allocMany(table, DRM_MINOR_PRIMARY, 64);
    allocMany(table, DRM_MINOR_RENDER, 64);
    assert.deepEqual([table.alloc(DRM_MINOR_PRIMARY), table.alloc(DRM_MINOR_RENDER), table.alloc(DRM_MINOR_PRIMARY)], [192, 193, 194]);
  });

  test("alloc() before v6.12 returns null (ENOSPC) when the 64-wide range is full", () => {
    const table = new MinorTable(new Sim({ seed: 1 }), V6_8, "drm");
    assert.deepEqual(allocMany(table, DRM_MINOR_PRIMARY, 64), range(0, 63));
    assert.equal(table.alloc(DRM_MINOR_PRIMARY), null);
    assert.equal(table.alloc(DRM_MINOR_RENDER), 128, "the render range is separate");
  });

  for (const profile of [V7_1, V6_8]) {
    test(`alloc() on ${profile.name} ${profile.version} reuses the lowest number once it is erased (R32)`, () => {
      const table = primariesWithHoles(profile, 3, [1]);
      assert.equal(table.alloc(DRM_MINOR_PRIMARY), 1);
      assert.equal(table.alloc(DRM_MINOR_PRIMARY), 3);
    });
  }

  test("alloc() under uapi-doc takes the number after the previous one, even when a lower one is free (R33)", () => {
    const table = primariesWithHoles(DOC, 3, [0, 1]);
    assert.equal(table.alloc(DRM_MINOR_PRIMARY), 3);
  });

  test("alloc() under uapi-doc wraps at the end of the range to the first free number (R33)", () => {
    const table = primariesWithHoles(DOC, 64, [10, 5]);
    assert.deepEqual(allocMany(table, DRM_MINOR_PRIMARY, 3), [5, 10, null]);
  });

  test("alloc() under uapi-doc wraps over the whole range: holes at its top are found, renders stay in theirs (R33)", () => {
    const table = primariesWithHoles(DOC, 64, [63, 62]);
    assert.deepEqual(allocMany(table, DRM_MINOR_PRIMARY, 3), [62, 63, null]);
    const renders = new MinorTable(new Sim({ seed: 1 }), DOC, "drm");
    allocMany(renders, DRM_MINOR_RENDER, 64);
    renders.erase(130);
    assert.deepEqual(allocMany(renders, DRM_MINOR_RENDER, 2), [130, null]);
  });

  test("the accel table gives numbers 0-255, then null (ENOSPC)", () => {
    const table = new MinorTable(new Sim({ seed: 1 }), V7_1, "accel");
    assert.deepEqual(allocMany(table, DRM_MINOR_ACCEL, 256), range(0, 255));
    assert.equal(table.alloc(DRM_MINOR_ACCEL), null);
  });

  test("alloc() under uapi-doc counts primaries and renders separately (R33)", () => {
    const table = new MinorTable(new Sim({ seed: 1 }), DOC, "drm");
    assert.deepEqual(([DRM_MINOR_RENDER, DRM_MINOR_PRIMARY, DRM_MINOR_RENDER, DRM_MINOR_PRIMARY] as const).map((t) => table.alloc(t)), [128, 0, 129, 1]);
  });

  test("unpublish() keeps the number reserved and makes lookups fail until erase() (R29)", () => {
    const table = new MinorTable(new Sim({ seed: 1 }), V7_1, "drm");
    const index = table.alloc(DRM_MINOR_PRIMARY);
    assert.equal(index, 0);
    const minor = { index: 0 } as DrmMinor; // only its identity and index are looked at
    table.publish(0, minor);
    assert.equal(table.lookup(0), minor, "a published minor is found");
    table.unpublish(0);
    assert.equal(table.lookup(0), null);
    assert.equal(table.isReserved(0), true);
    assert.equal(table.alloc(DRM_MINOR_PRIMARY), 1, "a reserved number is not handed out");
    table.erase(0);
    assert.equal(table.isReserved(0), false);
    assert.equal(table.alloc(DRM_MINOR_PRIMARY), 0);
  });
});
