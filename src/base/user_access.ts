/**
 * A CPU access to user memory through a process's mappings, by the program (a load or a store)
 * or by the kernel on its behalf (copy_to_user()), page by page: each page is a step that
 * reads its VMA's page table (which unmap_mapping_range() may zap in between), and a missing
 * entry runs the VMA's fault handler, which installs one. What a fault nobody resolves does
 * differs: the program gets a signal, the kernel's copy gets EFAULT.
 * @see handle_mm_fault() in mm/memory.c, do_user_addr_fault() in arch/x86/mm/fault.c
 */
import { step, type Task } from "../kernel/mod.js";
import type { MemResult } from "../uapi/mod.js";
import type { Kernel } from "./kernel.js";
import { PAGE_SIZE, type Mm, type Vma } from "./mm.js";

/** The process an access is made for: its address space, and who gets its signals. */
export interface AccessingProcess {
  readonly kernel: Kernel;
  readonly mm: Mm;
  readonly comm: string;
  readonly pid: number;
}

/** Copies `n` bytes between the page and the caller's buffer, at the offsets given. */
export type PageCopy = (page: Uint8Array, pageOff: number, bufOff: number, n: number) => void;

/**
 * The access of `length` bytes at `addr`; `kernelAccess` for the kernel's own (no signal: the
 * caller turns the failure into EFAULT).
 */
export function* userAccess(
  p: AccessingProcess, addr: bigint, length: number, copy: PageCopy, kernelAccess = false,
): Task<MemResult<0>> {
  let done = 0;
  while (done < length) {
    const at = addr + BigInt(done);
    const vma = p.mm.find(at);
    if (vma === undefined) return kernelAccess ? { ok: false, signal: "SIGSEGV" } : forceSig(p, "SIGSEGV", at, null);
    yield step("user_access", [vma]);
    const offInVma = Number(at - vma.start);
    const pageIndex = Math.floor(offInVma / PAGE_SIZE);
    let page = vma.ptes.get(pageIndex);
    if (page === undefined) {
      // No fault handler (a mapping remapped whole at mmap time) is VM_FAULT_SIGBUS.
      const fault = vma.ops?.fault;
      const f = fault === undefined ? null : yield* p.kernel.sim.frame("handle_mm_fault", fault(vma, pageIndex));
      if (f !== null && !f.ok && f.result === "OOM") {
        pagefaultOutOfMemory(p.kernel);
        continue; // the access faults again from its first step
      }
      if (f === null || !f.ok) return kernelAccess ? { ok: false, signal: "SIGBUS" } : forceSig(p, "SIGBUS", at, vma);
      page = f.page; // the fault handler installed it in the page table
    }
    const pageOff = offInVma % PAGE_SIZE;
    const n = Math.min(PAGE_SIZE - pageOff, length - done, vma.length - offInVma);
    copy(page, pageOff, done, n);
    done += n;
  }
  return { ok: true, value: 0 };
}

/**
 * A user fault that ends in VM_FAULT_OOM sends no signal: since Linux 5.16 the page-fault
 * path does not call the OOM killer either; it warns and returns to user mode, where the
 * access faults again (R51).
 * @see pagefault_out_of_memory() in mm/oom_kill.c, mm_fault_error() in arch/x86/mm/fault.c
 */
function pagefaultOutOfMemory(kernel: Kernel): void {
  kernel.sim.printk(4, "Huh VM_FAULT_OOM leaked out to the #PF handler. Retrying PF");
}

/**
 * A fault the kernel could not resolve sends the task a signal. The model's programs install
 * no handlers, so its default action kills the process: the task dies at its next return to
 * user mode, its program runs no more code, and its exit closes what it holds. A SIGBUS from
 * a mapping is a finding: the uAPI promises it never happens (R53, D7).
 * @see force_sig_fault(), do_sigbus(), bad_area() in arch/x86/mm/fault.c
 */
function forceSig(p: AccessingProcess, signal: "SIGBUS" | "SIGSEGV", addr: bigint, vma: Vma | null): MemResult<never> {
  const sim = p.kernel.sim;
  const task = sim.current;
  if (task !== null) sim.sendFatalSignal(task);
  if (signal === "SIGBUS" && vma !== null) {
    const site = sim.site("force_sig_fault");
    const hex = `0x${addr.toString(16)}`;
    sim.report({ kind: "fatal-signal", comm: p.comm, pid: p.pid, signal, addr: hex, mapping: vma.file.path, site });
  }
  return { ok: false, signal };
}
