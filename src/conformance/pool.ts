/**
 * Runs jobs in worker threads (./worker.ts), handing each idle worker the next job, or in
 * this thread when one worker is asked for. Results come back in the jobs' order.
 */
import { Worker } from "node:worker_threads";
import type { ConformanceCase } from "./case.js";
import { executeJob, type Job, type JobResult } from "./execute.js";

/** Called after each job with the number done and the total. */
export type Progress = (done: number, total: number) => void;

export function runJobsInThread(jobs: readonly Job[], cases: ReadonlyMap<string, ConformanceCase>, progress: Progress): JobResult[] {
  return jobs.map((job, i) => {
    const r = executeJob(cases.get(job.caseFile)!.scenario, job);
    progress(i + 1, jobs.length);
    return r;
  });
}

type Answer = { readonly index: number; readonly result?: JobResult; readonly error?: string };

export async function runJobs(
  jobs: readonly Job[], cases: ReadonlyMap<string, ConformanceCase>, workers: number,
  progress: Progress = () => {},
): Promise<JobResult[]> {
  const n = Math.min(workers, jobs.length);
  if (n <= 1) return runJobsInThread(jobs, cases, progress);
  const results: JobResult[] = new Array<JobResult>(jobs.length);
  let next = 0;
  let done = 0;
  const pool = Array.from({ length: n }, () => new Worker(new URL("./worker.js", import.meta.url)));
  try {
    await new Promise<void>((resolve, reject) => {
      const feed = (w: Worker): void => {
        if (next < jobs.length) {
          w.postMessage({ index: next, job: jobs[next] });
          next++;
        }
      };
      for (const w of pool) {
        w.on("message", (a: Answer) => {
          if (a.error !== undefined) return reject(new Error(a.error));
          results[a.index] = a.result!;
          done++;
          progress(done, jobs.length);
          if (done === jobs.length) resolve();
          else feed(w);
        });
        w.on("error", reject);
        feed(w);
      }
    });
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
  }
  return results;
}
