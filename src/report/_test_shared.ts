/**
 * A run record with two devices that share objects, for the report's object lanes: card0
 * exports a buffer as a dma-buf that card1 imports and the app maps, and a fence of card0 is
 * held by a syncobj of card1. The labels name the other device on purpose (as a label of an
 * import may), so that a lane chosen by label would be wrong: only the owners tell.
 * At the unplug of card0 its fence signals with -ECANCELED; the app then unmaps and closes
 * the import, which frees card0's buffer and card0. The syncobj is reported leaked; the fence
 * is still allocated at the end.
 * @internal
 */
import { Sim } from "../kernel/sim.js";
import type { Allocation } from "../kernel/kobject.js";
import { sleepTicks, step, type Task } from "../kernel/task.js";
import type { RunRecord } from "./run_record.js";

export const CARD0 = "amdgpu_device [drm_device#1 (card0)]";
export const CARD1 = "i915_device [drm_device#2 (card1)]";
/** The labels of the shared objects, each naming the device that does not own it. */
export const SHARED_LABELS = {
  dmaBuf: "dma_buf (imported by drm_device#2 (card1))",
  mapping: "vma /dev/dri/card1 (pid 1000) of drm_device#2",
  fence: "dma_fence amdgpu:card0:1:1 (waited on by drm_device#2)",
  syncobj: "drm_syncobj (drm_device#2 (card1)) holding drm_device#1's fence",
  imported: "gem 16384B (drm_device#2 (card1)) imported from drm_device#1 (card0)",
};

export function sharedObjectsRunRecord(): RunRecord {
  const sim = new Sim({ seed: 5 });
  const own = (mem: Allocation): { mem: Allocation } => ({ mem });
  const card0 = own(sim.alloc("amdgpu_device", { label: CARD0 }));
  const card1 = own(sim.alloc("i915_device", { label: CARD1 }));
  const minor0 = sim.alloc("drm_minor", { kind: "drmm_kzalloc", label: "drm_minor card0", owner: card0 });
  sim.alloc("drm_minor", { kind: "drmm_kzalloc", label: "drm_minor card1", owner: card1 });
  let fence: Allocation | null = null;
  let unplugged = false;

  function* app(): Task<void> {
    yield step("drm_gem_create");
    const bo = sim.alloc("drm_gem_object", { label: "gem 16384B (drm_device#1 (card0))", owner: card0 });
    yield step("dma_buf_export");
    const dmaBuf = sim.alloc("dma_buf", { label: SHARED_LABELS.dmaBuf, owner: own(bo) });
    yield step("drm_gem_prime_import");
    const imported = sim.alloc("drm_gem_object", { label: SHARED_LABELS.imported, owner: card1 });
    yield step("dma_buf_mmap");
    const vma = sim.alloc("vm_area_struct", { label: SHARED_LABELS.mapping, owner: own(dmaBuf) });
    yield step("amdgpu_cs_ioctl");
    fence = sim.alloc("dma_fence", { label: SHARED_LABELS.fence, owner: card0 });
    yield step("drm_syncobj_create");
    const syncobj = sim.alloc("drm_syncobj", { label: SHARED_LABELS.syncobj, owner: card1 });
    while (!unplugged) yield sleepTicks(10);
    yield step("vm_area_free");
    sim.free(vma, "vm_area_free");
    yield step("drm_gem_object_release");
    sim.free(imported, "drm_gem_object_free");
    sim.free(dmaBuf, "dma_buf_release");
    sim.free(bo, "drm_gem_object_free");
    sim.free(minor0, "drm_managed_release");
    sim.free(card0.mem, "drm_dev_release");
    sim.report({ kind: "leak", object: SHARED_LABELS.syncobj, alloc: syncobj.allocSite }, syncobj);
  }

  function* unplug(): Task<void> {
    yield sleepTicks(20);
    yield step("amdgpu_pci_remove");
    if (fence !== null) sim.traceSignaled(fence, -125);
    unplugged = true;
  }

  sim.spawn("app", app(), { kind: "user" });
  sim.spawn("unplug", unplug(), { kind: "kernel" });
  sim.run();
  return {
    title: "shared-buffer-unplug",
    seed: sim.seed,
    profile: "mainline 6.12",
    verdict: "leak",
    replay: "vdrm run shared-buffer-unplug --seed=5",
    events: sim.trace.events,
  };
}
