/**
 * A debugfs fault attribute, the kernel's way to make an operation fail on purpose: a
 * directory with `probability` (percent, 0 by default: never) and `times` (how many more
 * failures, -1 for no limit, 1 by default). Each attempt of the operation rolls once
 * (shouldFail()). xe's fail_gt_reset is one; the model's amdgpu has one for its ring resets.
 *
 * @see lib/fault-inject.c (should_fail(), fault_create_debugfs_attr()),
 *      Documentation/fault-injection/fault-injection.rst
 */
import type { SysfsNode } from "../base/mod.js";
import { step, type KStruct, type Sim } from "../kernel/mod.js";
import { fail, ok } from "../uapi/mod.js";

export interface FaultAttr {
  probability: number;
  times: number;
}

export function newFaultAttr(): FaultAttr {
  return { probability: 0, times: 1 };
}

/** One roll of the fault attribute: whether this attempt fails. @see should_fail() */
export function shouldFail(sim: Sim, attr: FaultAttr): boolean {
  if (attr.times === 0 || attr.probability <= 0) return false;
  if (attr.probability < 100 && sim.prng.index(100) >= attr.probability) return false;
  if (attr.times > 0) attr.times -= 1;
  return true;
}

/** A signed decimal (kstrtoint: one trailing newline allowed), or null. */
function parseInt32(text: string): number | null {
  const m = /^(-?\d+)\n?$/.exec(text);
  return m === null ? null : Number(m[1]);
}

function faultNode(owner: KStruct, attr: FaultAttr, key: keyof FaultAttr): SysfsNode {
  return {
    kind: "attr",
    owner,
    show: () => `${attr[key]}\n`,
    *store(text) {
      yield step("fault_attr_store", [], [owner]);
      const v = parseInt32(text);
      if (v === null || (key === "probability" && (v < 0 || v > 100))) return fail("EINVAL");
      attr[key] = v;
      return ok(text.length);
    },
  };
}

/**
 * Adds `dir`/probability and `dir`/times for `attr`, a field of `owner` (whose container the
 * writes change). The caller's step writes sysfs.
 */
export function faultAttrAdd(
  sysfs: { add(path: string, node: SysfsNode): void },
  dir: string,
  owner: KStruct,
  attr: FaultAttr,
): void {
  sysfs.add(`${dir}/probability`, faultNode(owner, attr, "probability"));
  sysfs.add(`${dir}/times`, faultNode(owner, attr, "times"));
}
