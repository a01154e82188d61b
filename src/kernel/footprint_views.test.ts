/**
 * The checked views of kernel objects and of the containers they hold (footprint.ts): what
 * each kind of access is reported as, that a view keeps its identity, and what is no access.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import type { Finding } from "./findings.js";
import { defaultFootprintMode, embeddedStruct, setDefaultFootprintMode } from "./footprint.js";
import { KObject } from "./kobject.js";
import { expectUndeclaredAccesses } from "./_test_footprints.js";
import { Sim } from "./sim.js";
import { step, type Task } from "./task.js";

class Ring {
  readonly slots: number[] = [];
}
embeddedStruct(Ring);

const CACHE = Symbol("cache");

class Node extends KObject {
  static readonly fixedFields = ["name"];
  value = 0;
  other: Node | null = null;
  readonly table = new Map<number, string>();
  readonly lists = new Map<number, number[]>();
  readonly members = new Set<number>();
  readonly items: number[] = [];
  readonly ring = new Ring();
  [CACHE]: string | undefined;
  constructor(sim: Sim, readonly name: string) {
    super(sim, sim.alloc("node", { label: `node ${name}` }));
  }
}

/** Runs `body` as one step that declares nothing, and returns the undeclared accesses it made. */
function accessesOf(body: (n: Node) => void, setup: (n: Node) => void = () => {}): string[] {
  const sim = new Sim({ seed: 1, footprints: "check" });
  expectUndeclaredAccesses(sim);
  const n = new Node(sim, "n");
  setup(n);
  sim.runTask("t", (function* (): Task<void> {
    yield step("touch");
    body(n);
  })());
  return sim.findings
    .filter((f): f is Extract<Finding, { kind: "undeclared-access" }> => f.kind === "undeclared-access")
    .map((f) => `${f.mode} ${f.field}`);
}

test("reads and writes of an object's fields are reported as such; its fixed fields are not accesses", () => {
  assert.deepEqual(accessesOf((n) => void n.value), ["read value"]);
  assert.deepEqual(accessesOf((n) => void (n.value = 2)), ["write value"]);
  assert.deepEqual(accessesOf((n) => void n.name), []);
  assert.deepEqual(accessesOf((n) => void (delete (n as { other?: unknown }).other)), ["write other"]);
  assert.deepEqual(accessesOf((n) => void Object.defineProperty(n, "value", { value: 3 })), ["write value"]);
});

test("Map and Set methods that change the collection are writes, the others reads", () => {
  assert.deepEqual(accessesOf((n) => void n.table.delete(1)), ["read table", "write table.delete()"]);
  assert.deepEqual(accessesOf((n) => n.table.clear()), ["read table", "write table.clear()"]);
  assert.deepEqual(accessesOf((n) => void n.members.add(1)), ["read members", "write members.add()"]);
  assert.deepEqual(accessesOf((n) => void n.table.get(1)), ["read table", "read table.get()"]);
  assert.deepEqual(accessesOf((n) => void n.table.size), ["read table", "read table.size"]);
});

test("a container found inside a container is part of the object too", () => {
  const found = accessesOf((n) => n.lists.get(1)!.push(5), (n) => n.lists.set(1, []));
  assert.deepEqual(found, ["read lists", "read lists.get()", "read lists.length", "write lists[]", "write lists.length"]);
});

test("array elements are one field, `items[]`; methods and symbols of the array are no accesses", () => {
  assert.deepEqual(accessesOf((n) => void n.items[0], (n) => n.items.push(1)), ["read items", "read items[]"]);
  const pushed = accessesOf((n) => void n.items.push(1));
  assert.deepEqual(pushed, ["read items", "read items.length", "write items[]", "write items.length"]);
  assert.deepEqual(accessesOf((n) => void [...n.ring.slots]), ["read ring", "read ring.slots", "read ring.slots.length"]);
  assert.deepEqual(accessesOf((n) => void delete n.items[0], (n) => n.items.push(1)), ["read items", "write items[]"]);
  const defined = accessesOf((n) => void Object.defineProperty(n.items, "0", { value: 1, writable: true, enumerable: true, configurable: true }));
  assert.deepEqual(defined, ["read items", "write items[]"]);
});

test("a view keeps its identity: the same container view every read, and a Map's set() returns it", () => {
  const sim = new Sim({ seed: 1, footprints: "check" });
  expectUndeclaredAccesses(sim);
  const n = new Node(sim, "n");
  sim.runTask("t", (function* (): Task<void> {
    yield step("look", [], [n]);
    assert.equal(n.items, n.items);
    assert.equal(n.table.set(1, "x"), n.table);
    assert.equal(n.ring, n.ring);
  })());
  assert.deepEqual(sim.findings, []);
});

test("a cache under a symbol key is not kernel state: setting or defining it is no access", () => {
  assert.deepEqual(accessesOf((n) => void (n[CACHE] = "x")), []);
  assert.deepEqual(accessesOf((n) => void Object.defineProperty(n, CACHE, { value: "y" })), []);
  assert.deepEqual(accessesOf((n) => void n[CACHE]), []);
});

test("setDefaultFootprintMode() sets the mode of a Sim whose options do not say", () => {
  const before = defaultFootprintMode();
  try {
    setDefaultFootprintMode("trust");
    assert.equal(new Sim({ seed: 1 }).footprints, "trust");
    setDefaultFootprintMode("check");
    assert.equal(defaultFootprintMode(), "check");
    assert.equal(new Sim({ seed: 1 }).footprints, "check");
    assert.equal(new Sim({ seed: 1, footprints: "trust" }).footprints, "trust");
  } finally {
    setDefaultFootprintMode(before);
  }
});
