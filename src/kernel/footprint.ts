/**
 * The footprint checker. Every kernel step declares the objects it reads and writes
 * (`yield step(fn, reads, writes)`); the sanitizer checks them, and an explorer that reorders
 * independent steps trusts them. This module makes that trust checked: in checking mode every
 * kernel object is reached through a proxy that reports each access of its fields to the
 * Sim, which compares it with the footprint of the step that is running (Sim.access()).
 *
 * What counts as an access of an object:
 * - reading or writing one of its own fields, except the fields its class lists as fixed
 *   (set in the constructor and never again: a pointer to the parent, the Sim, a name);
 *   writing a fixed field after the object was made is a model bug and asserts;
 * - anything done to a container held in a field (an array, a Map, a Set, or an instance of a
 *   class registered with embeddedStruct()): it is part of the object, as a list head or an
 *   xarray is part of its struct in C;
 * - the explicit hooks the sanitizer already uses (Sim.check(), from kref_get, get_device, ...).
 * Other objects a field points to (a wait queue, a kref, the Sim) are not part of it.
 *
 * A step may touch, undeclared, the objects made in the same scheduling slice: nobody else can
 * see them yet. In "trust" mode (the default, for speed) no proxy is made at all.
 */
import { assert } from "./assert.js";
import type { Finding } from "./findings.js";
import type { Allocation, KStruct } from "./kobject.js";

export type FootprintMode = "trust" | "check";
export type AccessMode = "read" | "write";

/** What the Sim offers the proxies: where accesses go. */
export interface AccessSink {
  /**
   * Records an access of `obj`, whose memory is `mem` (passed along so the sink need not read
   * it through the view); `field` names it for the finding.
   */
  access(obj: KStruct, mem: Allocation, mode: AccessMode, field: string): void;
  /** Whether `obj` was made in the slice of work running now (its accesses are free). */
  madeInCurrentSlice(obj: object): boolean;
}

let defaultMode: FootprintMode = "trust";

/** The mode a Sim gets when its options do not say; the test suite sets "check". */
export function setDefaultFootprintMode(mode: FootprintMode): void {
  defaultMode = mode;
}

export function defaultFootprintMode(): FootprintMode {
  return defaultMode;
}

/** Hears of each `undeclared-access` finding a Sim reports (`sink` is that Sim). */
export type UndeclaredAccessObserver = (sink: AccessSink, finding: Finding) => void;

let undeclaredObserver: UndeclaredAccessObserver | null = null;

/**
 * Sets who hears of every undeclared access any Sim reports from now on (null: nobody); the
 * test suite's guard (src/kernel/_test_footprints.ts) fails a test file on them.
 */
export function setUndeclaredAccessObserver(observer: UndeclaredAccessObserver | null): void {
  undeclaredObserver = observer;
}

/** @internal The observer a Sim tells of an undeclared access it reported. */
export function undeclaredAccessObserver(): UndeclaredAccessObserver | null {
  return undeclaredObserver;
}

const embeddedClasses = new WeakSet<object>();

/**
 * Declares that instances of `cls` are part of the kernel object whose field holds them (a
 * struct embedded by value in C, such as drm_device.managed), so accesses inside them count
 * as accesses of that object.
 */
export function embeddedStruct(cls: abstract new (...args: never[]) => unknown): void {
  embeddedClasses.add(cls.prototype as object);
}

const MAP_WRITERS = new Set<PropertyKey>(["set", "delete", "clear", "add"]);

/** The views made of containers (see containerProxy()), by the container. */
const proxies = new WeakMap<object, object>();
/** The raw kernel objects behind views (see trackKStruct()). */
const targets = new WeakSet<object>();

/**
 * Whether a field's value is part of the object that holds it. Plain objects are not: they are
 * nearly always pointers to something outside (a driver's ops table, a devres record), and
 * giving them a proxy would break identity comparisons with the same pointer held elsewhere.
 */
function isContainer(v: unknown): v is object {
  if (typeof v !== "object" || v === null) return false;
  if (targets.has(v)) return false; // a kernel object of its own: accesses count against it
  if (Array.isArray(v) || v instanceof Map || v instanceof Set) return true;
  const proto = Object.getPrototypeOf(v) as object | null;
  return proto !== null && embeddedClasses.has(proto);
}

function fieldName(key: PropertyKey): string {
  return typeof key === "symbol" ? key.toString() : String(key);
}

/** How an access inside a container is named: `files[]` for any element of an array. */
function memberName(path: string, container: object, key: PropertyKey): string {
  if (Array.isArray(container) && typeof key === "string" && key !== "length") return `${path}[]`;
  return `${path}.${fieldName(key)}`;
}

/** A view of `inner`, a container inside `owner`, whose accesses count as accesses of owner. */
function containerProxy(sink: AccessSink, owner: KStruct, mem: Allocation, inner: object, path: string): object {
  const cached = proxies.get(inner);
  if (cached !== undefined) return cached;
  const collection = inner instanceof Map || inner instanceof Set;
  const proxy = new Proxy(inner, {
    get(target, key, receiver) {
      if (collection) {
        const c = target as Map<unknown, unknown>;
        if (key === "size") {
          sink.access(owner, mem, "read", `${path}.size`);
          return c.size;
        }
        const v = Reflect.get(target, key, target) as unknown;
        if (typeof v !== "function") return v;
        const mode: AccessMode = MAP_WRITERS.has(key) ? "write" : "read";
        return (...args: unknown[]): unknown => {
          sink.access(owner, mem, mode, `${path}.${fieldName(key)}()`);
          const r = (v as (...a: unknown[]) => unknown).apply(target, args);
          return isContainer(r) && r !== target ? containerProxy(sink, owner, mem, r, path) : r === target ? proxy : r;
        };
      }
      if (typeof key === "symbol" || !Object.hasOwn(target, key)) return Reflect.get(target, key, receiver);
      const field = memberName(path, target, key);
      sink.access(owner, mem, "read", field);
      const v = Reflect.get(target, key, receiver) as unknown;
      return isContainer(v) ? containerProxy(sink, owner, mem, v, field) : v;
    },
    set(target, key, value) {
      sink.access(owner, mem, "write", memberName(path, target, key));
      return Reflect.set(target, key, value);
    },
    defineProperty(target, key, desc) {
      sink.access(owner, mem, "write", memberName(path, target, key));
      return Reflect.defineProperty(target, key, desc);
    },
    deleteProperty(target, key) {
      sink.access(owner, mem, "write", memberName(path, target, key));
      return Reflect.deleteProperty(target, key);
    },
  });
  proxies.set(inner, proxy);
  return proxy;
}

/**
 * The checked view of a kernel object: `obj` itself in trust mode, else a proxy that reports
 * accesses of its fields to `sink`. `fixed` names the fields that never change once made.
 */
export function trackKStruct<T extends KStruct>(sink: AccessSink, obj: T, fixed: ReadonlySet<string>): T {
  const raw = obj as T & object;
  const mem = raw.mem;
  targets.add(raw);
  const proxy = new Proxy(raw, {
    get(target, key, receiver) {
      if (typeof key === "symbol" || !Object.hasOwn(target, key)) return Reflect.get(target, key, receiver);
      const v = Reflect.get(target, key, receiver) as unknown;
      if (fixed.has(key)) return v;
      sink.access(receiver as KStruct, mem, "read", key);
      return isContainer(v) ? containerProxy(sink, receiver as KStruct, mem, v, key) : v;
    },
    set(target, key, value, receiver) {
      checkFixed(sink, receiver as object, fixed, key);
      if (typeof key !== "symbol" && !fixed.has(key)) sink.access(receiver as KStruct, mem, "write", key);
      return Reflect.set(target, key, value);
    },
    defineProperty(target, key, desc) {
      checkFixed(sink, proxy, fixed, key);
      if (typeof key !== "symbol" && !fixed.has(key)) sink.access(proxy as KStruct, mem, "write", key);
      return Reflect.defineProperty(target, key, desc);
    },
    deleteProperty(target, key) {
      sink.access(proxy as KStruct, mem, "write", fieldName(key));
      return Reflect.deleteProperty(target, key);
    },
  });
  return proxy;
}

function checkFixed(sink: AccessSink, obj: object, fixed: ReadonlySet<string>, key: PropertyKey): void {
  if (typeof key === "symbol" || !fixed.has(String(key))) return;
  if (sink.madeInCurrentSlice(obj)) return;
  assert(false, `Cannot write ${String(key)}: it is a fixed field of ${(obj as { mem?: Allocation }).mem?.label ?? "a kernel object"}`);
}

/**
 * The fields a class and its ancestors list in their static `fixedFields`, for trackKStruct().
 * Computed once per class.
 */
const fixedByClass = new WeakMap<object, ReadonlySet<string>>();

export function fixedFieldsOf(cls: { readonly fixedFields?: readonly string[] }): ReadonlySet<string> {
  let set = fixedByClass.get(cls);
  if (set !== undefined) return set;
  const names = new Set<string>(["mem"]);
  for (let c: unknown = cls; typeof c === "function"; c = Object.getPrototypeOf(c)) {
    const own = Object.hasOwn(c, "fixedFields") ? (c as { fixedFields?: readonly string[] }).fixedFields : undefined;
    for (const n of own ?? []) names.add(n);
  }
  set = names;
  fixedByClass.set(cls, set);
  return set;
}
