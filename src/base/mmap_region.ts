/**
 * A process's mappings of files made and torn down: the VMA, its reference on the file and its
 * place in the file's address space (which unmap_mapping_range() walks to zap it).
 * @see mmap_region() and do_munmap() in mm/mmap.c
 */
import { lookupStep, type Task } from "../kernel/mod.js";
import { fail, ok, type SysResult } from "../uapi/mod.js";
import type { Kernel } from "./kernel.js";
import { PAGE_SIZE, Vma, type Mm } from "./mm.js";
import { fget, fput, type KFile } from "./vfs.js";

/** The mapping of `file` made by its mmap and inserted in `mm` of process `pid`: its address. */
export function* mmapRegion(
  kernel: Kernel, mm: Mm, pid: number, file: KFile, offset: bigint, length: number,
): Task<SysResult<bigint>> {
  const sim = kernel.sim;
  // In the trace a VMA belongs to the address space it maps (the file's f_mapping).
  const label = `vma ${file.path} (pid ${pid})`;
  const mem = sim.alloc("vm_area_struct", { label, owner: file.mapping ?? file });
  const vma = new Vma(sim, mem, mm.allocRange(length), length, offset / BigInt(PAGE_SIZE), file);
  const r = yield* file.ops!.mmap!(file, vma);
  // The rest of the mapping's setup, after the file's mmap.
  yield lookupStep("mmap_region", () => ({ reads: [], writes: mappingObjects(vma) }));
  if (!r.ok) {
    sim.free(vma.mem, "vm_area_free");
    return fail(r.errno);
  }
  fget(file); // the VMA holds the file (R15)
  mm.insert(vma);
  file.mapping?.vmas.add(vma);
  return ok(vma.start);
}

/** `vma` taken out of `mm`: its pages, its driver's close, its memory, its file reference. */
export function* unmapVma(kernel: Kernel, mm: Mm, vma: Vma): Task<void> {
  const file = vma.file;
  yield lookupStep("do_munmap", () => ({ reads: [], writes: mappingObjects(vma) }));
  mm.remove(vma);
  vma.ptes.clear();
  file.mapping?.vmas.delete(vma);
  const close = vma.ops?.close?.(vma);
  if (close !== undefined) yield* close;
  kernel.sim.free(vma.mem, "vm_area_free");
  yield* fput(kernel, file);
}

/** What adding or removing a mapping writes: the file, the VMA, the file's address space. */
function mappingObjects(vma: Vma) {
  const file = vma.file;
  return file.mapping === null ? [file, vma] : [file, vma, file.mapping];
}
