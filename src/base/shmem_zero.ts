/**
 * Anonymous shared memory: what mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED |
 * MAP_ANONYMOUS, -1, 0) gives a program. Linux backs such a mapping with a shmem file of its
 * own (`/dev/zero (deleted)` in /proc/PID/maps); its pages are made zeroed on first touch and
 * live as long as a mapping holds the file. It is the memory a program points the kernel at
 * (a variable an ioctl writes through, as OUT_FENCE_PTR's `s32 __user *`), read back with the
 * memory steps. Every mapping of the model is MAP_SHARED, so this is the one kind of
 * anonymous memory there is.
 *
 * @see shmem_zero_setup() in mm/shmem.c, do_mmap() in mm/mmap.c
 */
import { KObject, step, type Allocation, type Task } from "../kernel/mod.js";
import { ok, type SysResult } from "../uapi/mod.js";
import type { Kernel } from "./kernel.js";
import { vmfInsertPage, type FaultResult, type Vma, type VmOps } from "./mm.js";
import { KFile, type FileOps } from "./vfs.js";

/** The path Linux shows for a shared anonymous mapping. */
export const SHMEM_ZERO_PATH = "/dev/zero (deleted)";

/** The pages of one shared anonymous mapping (its shmem inode's page cache). */
export class ShmemZero extends KObject {
  static readonly fixedFields = ["kernel"];
  readonly pages = new Map<number, Uint8Array>();
  constructor(readonly kernel: Kernel, mem: Allocation) {
    super(kernel.sim, mem);
  }
}

function shmemOf(file: KFile): ShmemZero {
  return file.privateData as ShmemZero;
}

/** @see shmem_fault() */
function* shmemFault(vma: Vma, pageIndex: number): Task<FaultResult> {
  const shmem = vma.privateData as ShmemZero;
  yield step("shmem_fault", [], [shmem, vma]);
  return vmfInsertPage(vma, pageIndex, shmem.pages);
}

const shmemVmOps: VmOps = { name: "shmem_anon_vm_ops", fault: shmemFault };

const shmemZeroFops: FileOps = {
  name: "shmem_file_operations",
  *mmap(file: KFile, vma: Vma): Task<SysResult<0>> {
    vma.ops = shmemVmOps;
    vma.privateData = shmemOf(file);
    return ok(0);
  },
  *release(file: KFile): Task<void> {
    const shmem = shmemOf(file);
    yield step("shmem_evict_inode", [], [file, shmem]);
    shmem.kernel.sim.free(shmem.mem, "shmem_evict_inode");
  },
};

/**
 * The file behind a new shared anonymous mapping of process `pid`, with one reference (the
 * caller maps it, then drops it: the mapping holds the file from then on).
 * @see shmem_zero_setup()
 */
export function shmemZeroSetup(kernel: Kernel, pid: number): KFile {
  const sim = kernel.sim;
  const mem = sim.alloc("file", { label: `${SHMEM_ZERO_PATH} (pid ${pid})` });
  const file = new KFile(sim, mem, SHMEM_ZERO_PATH, null, pid);
  file.ops = shmemZeroFops;
  file.privateData = new ShmemZero(kernel, sim.alloc("shmem_inode", { label: `shmem anon (pid ${pid})`, owner: file }));
  return file;
}
