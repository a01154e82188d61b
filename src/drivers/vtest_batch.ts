/**
 * A vtest job's batch buffer: a GEM object of the submitting file (a dumb buffer) that the
 * job holds from its submission until the scheduler frees it (free_job), as a real driver's
 * job holds the buffers it executes, so closing the handle or the file while the job is on
 * the engine frees nothing the engine still reads.
 *
 * A spinner (VTEST_SUBMIT_SPIN) is a batch that jumps back to its own start until its first
 * dword reads VTEST_BATCH_END. The engine re-reads that dword once per loop, every
 * VTEST_SPIN_LOOP_US, from the buffer's memory: a program ends the spinner by writing the
 * dword through its CPU mapping, with no ioctl (IGT's igt_spin_end()). Once the device is
 * unplugged the spinner is already cancelled with the rest of the engine's work, and the
 * mapping was zapped: the write lands on whatever the fault handler maps now (the dummy page
 * for device memory), and no engine reads it.
 *
 * @see igt_spin_end() in IGT's lib/igt_dummyload.c (the write of MI_BATCH_BUFFER_END);
 *      v3d_job_free() for a driver's free_job dropping the job's buffers
 */
import { step, ticksFromUs, type Task } from "../kernel/mod.js";
import { VTEST_BATCH_END } from "../uapi/mod.js";
import { drmGemObjectPut, type GemObject } from "../drm/mod.js";
import type { VtestSchedJob } from "./vtest_engine.js";

/** How often a spinning engine re-reads its batch's first dword (one loop of the batch). */
export const VTEST_SPIN_LOOP_US = 1000;
export const VTEST_SPIN_LOOP_TICKS = ticksFromUs(VTEST_SPIN_LOOP_US);

/**
 * Whether the batch's first dword is VTEST_BATCH_END, as the engine reads the buffer's memory
 * (little-endian; a page never touched reads as zero). The calling step reads `batch`.
 */
export function vtestBatchEnded(batch: GemObject): boolean {
  const page = batch.pages.get(0);
  if (page === undefined) return false;
  const head = new DataView(page.buffer, page.byteOffset, 4).getUint32(0, true);
  return head === VTEST_BATCH_END;
}

/**
 * free_job: the job's reference on its batch goes (the last one frees the buffer). Yields a
 * step of its own only for a job with a batch; returns whether it did.
 * @see drm_sched_backend_ops.free_job
 */
export function* vtestFreeJob(job: VtestSchedJob): Task<boolean> {
  const batch = job.data.batch;
  if (batch === null) return false;
  yield step("vtest_free_job", [], [batch]);
  yield* drmGemObjectPut(batch);
  return true;
}
