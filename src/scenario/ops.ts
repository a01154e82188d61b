/**
 * Every step kind a scenario may use, by the key that names it. To add an op, define it with
 * defineOp() in an ops_<area>.ts file and list it here.
 */
import type { AnyOp } from "./op.js";
import { sleepOp, signalOp, waitOp } from "./ops_control.js";
import { fenceStatusOp } from "./ops_fence.js";
import { closeOp, dupOp, openOp, pollOp, readOp } from "./ops_file.js";
import { compositorOp } from "./ops_compositor.js";
import { healthyOp } from "./ops_health.js";
import { ioctlOp } from "./ops_ioctl.js";
import { plugCardOp, plugDisplayOp, pullCardOp, unplugDisplayOp } from "./ops_machine.js";
import { memReadOp, memWriteOp, mmapAnonOp, mmapOp, munmapOp } from "./ops_memory.js";
import { mknodOp } from "./ops_mknod.js";
import { busResetOp, coldResetOp, rebindOp, rebootOp } from "./ops_recovery.js";
import { killOp, recoverydOp } from "./ops_recoveryd.js";
import { existsOp, lsOp, readlinkOp, sysfsReadOp, sysfsWriteOp } from "./ops_sysfs.js";
import { waitUeventOp } from "./ops_uevent.js";

const ALL: readonly AnyOp[] = [
  openOp, closeOp, dupOp, ioctlOp, readOp, pollOp, fenceStatusOp,
  mmapOp, mmapAnonOp, munmapOp, memReadOp, memWriteOp,
  sysfsReadOp, sysfsWriteOp, readlinkOp, lsOp, existsOp, mknodOp,
  waitUeventOp, sleepOp, signalOp, waitOp, healthyOp,
  pullCardOp, plugCardOp, unplugDisplayOp, plugDisplayOp,
  rebindOp, busResetOp, coldResetOp, rebootOp,
  compositorOp,
  recoverydOp, killOp,
];

export const OPS: ReadonlyMap<string, AnyOp> = new Map(ALL.map((op) => [op.name, op]));
