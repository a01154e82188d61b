/**
 * The fence status step: what a program learns of the fence behind a sync_file fd, through
 * SYNC_IOC_FILE_INFO (as libsync's sync_file_info() asks, with num_fences 0). Waiting for the
 * fence is the poll step on the same fd (POLLIN once it is signalled).
 *
 * Result: `status` as the kernel gives it (0 active, 1 signalled, a negative errno when
 * signalled with an error), `state` ("active", "signaled" or "error"), `error` (the errno
 * name, or null), and the fence's `name`. Another kind of fd fails with ENOTTY.
 *
 * @see sync_file_ioctl_fence_info() in drivers/dma-buf/sync_file.c
 */
import { z } from "zod";
import { errnoName, SYNC_IOC_FILE_INFO, type Call, type Fd } from "../uapi/mod.js";
import { defineOp, fromSys, intOrRef, type Outcome } from "./op.js";
import type { Fields } from "./values.js";

/** How a status reads: the state and the errno name of an error. */
export function fenceStatusFields(status: number): Fields {
  if (status < 0) return { status, state: "error", error: errnoName(status) ?? `errno ${-status}` };
  return { status, state: status === 0 ? "active" : "signaled", error: null };
}

export const fenceStatusOp = defineOp({
  name: "fence-status",
  summary:
    "SYNC_IOC_FILE_INFO on a sync_file fd; result status (0, 1 or -errno), state " +
    "(active, signaled, error), error (errno name or null), name",
  main: "state",
  schema: z.object({ "fence-status": intOrRef }).strict(),
  describe: (a) => `fence-status ${a["fence-status"]}`,
  *run(ctx, a): Call<Outcome> {
    const fd = ctx.names.resolveNumber(a["fence-status"], "fence-status") as Fd;
    const r = yield* ctx.sys.ioctl(fd, SYNC_IOC_FILE_INFO, {});
    return fromSys(r, (info) => ({ ...fenceStatusFields(info.status), name: info.name }));
  },
});
