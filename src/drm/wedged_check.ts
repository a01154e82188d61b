/**
 * The prerequisites of a wedged event, checked (R79): before a driver declares its device
 * wedged, the uAPI document asks it to make the device harmless: DMA off, every dma_fence
 * signalled, every CPU mapping of device memory invalidated (faults go to a dummy page). The
 * check looks at the device as the kernel would, not at what the driver says:
 *
 * - DMA: a GPU scheduler made for the device (drm_sched_init()'s `dev`) that is not stopped
 *   still hands jobs to the hardware, unless its backend completes them without the hardware
 *   (`nopSubmission`, i915's nop_submit_request());
 * - fences: a dma_fence whose owners (the trace's, see Sim.alloc()) lead to the device, alive
 *   and not signalled;
 * - mappings: a VMA of the device's address space whose page table still holds a page of a
 *   device-memory (VRAM) buffer.
 *
 * Each unmet one is named in a `wedge-prerequisite` finding (class warn). The checker reads
 * kernel state as an observer (Sim.observe()), so its reads are not the step's.
 *
 * @see Documentation/gpu/drm-uapi.rst, "Device Wedging", "Driver prerequisites"
 */
import type { TraceEvent } from "../kernel/mod.js";
import type { DrmDevice } from "./device.js";
import { DrmGemVramObject } from "./gem_vram.js";
import { drmSchedulersOf, type DrmGpuScheduler } from "./sched_main.js";

/** Reports a `wedge-prerequisite` finding if `dev` is not harmless yet; `wedged` is the value sent. */
export function drmWedgedPrerequisiteCheck(dev: DrmDevice, wedged: string): void {
  const sim = dev.sim;
  const unmet = sim.observe(() => [
    ...runningSchedulers(dev),
    ...unsignalledFences(sim.trace.events, dev.mem.id),
    ...deviceMemoryMappings(dev),
  ]);
  if (unmet.length === 0) return;
  sim.report({ kind: "wedge-prerequisite", device: dev.label, wedged, unmet, site: sim.site() }, dev.mem);
}

function runningSchedulers(dev: DrmDevice): string[] {
  const submits = (s: DrmGpuScheduler): boolean => !s.paused && s.ops.nopSubmission?.() !== true;
  const running = drmSchedulersOf(dev).filter(submits);
  return running.map((s) => `DMA enabled (scheduler ${s.name} still submits)`);
}

/** The labels of the live, unsignalled dma_fences whose owners lead to allocation `root`. */
export function unsignalledFences(events: readonly TraceEvent[], root: number): string[] {
  const owner = new Map<number, number>();
  const label = new Map<number, string>();
  const fences = new Set<number>();
  for (const ev of events) {
    if (ev.t === "alloc") {
      if (ev.owner !== undefined) owner.set(ev.id, ev.owner);
      label.set(ev.id, ev.label);
      if (ev.type === "dma_fence") fences.add(ev.id);
    } else if (ev.t === "label") label.set(ev.id, ev.label);
    else if (ev.t === "signaled" || ev.t === "free") fences.delete(ev.id);
  }
  const leadsToRoot = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = owner.get(at)) {
      if (at === root) return true;
    }
    return false;
  };
  return [...fences].filter(leadsToRoot).map((id) => `${label.get(id) ?? `#${id}`} unsignalled`);
}

function deviceMemoryMappings(dev: DrmDevice): string[] {
  const out: string[] = [];
  for (const vma of dev.anonMapping?.vmas ?? []) {
    const bo = vma.privateData;
    if (!(bo instanceof DrmGemVramObject)) continue;
    const vram = new Set(bo.pages.values());
    const reaching = [...vma.ptes.values()].filter((page) => vram.has(page)).length;
    if (reaching > 0) {
      out.push(`a mapping at 0x${vma.start.toString(16)} still reaches ${reaching} page(s) of device memory`);
    }
  }
  return out;
}
