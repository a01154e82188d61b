/**
 * The ioctl gate and dispatch. The unplugged check comes first, before the ioctl type
 * (ENOTTY) and number (EINVAL) are validated (R38), and again in drm_ioctl_kernel() before
 * the permission checks (R39). There is no per-ioctl allow-list after unplug.
 *
 * @see drm_ioctl(), drm_ioctl_kernel(), drm_ioctl_permit() in drivers/gpu/drm/drm_ioctl.c
 */
import type { KFile } from "../base/mod.js";
import type { Task } from "../kernel/mod.js";
import { DRM_COMMAND_BASE, DRM_COMMAND_END, DRM_IOCTL_BASE, fail, iocNr, iocType, type ErrnoName, type IoctlArg, type IoctlOut, type SysResult } from "../uapi/mod.js";
import { drmDevIsUnplugged } from "./device.js";
import { drmFileOf, type DrmFile } from "./file.js";
import { CORE_IOCTLS } from "./ioctl_core.js";
import { DRM_AUTH, DRM_MASTER, DRM_RENDER_ALLOW, DRM_ROOT_ONLY, type DrmIoctlDesc } from "./ioctl_desc.js";

/** @see drm_ioctl_permit() */
export function drmIoctlPermit(flags: number, file: DrmFile): ErrnoName | null {
  if ((flags & DRM_ROOT_ONLY) !== 0) return "EACCES"; // model processes are not CAP_SYS_ADMIN
  if ((flags & DRM_AUTH) !== 0 && !file.isRenderClient && !file.authenticated) return "EACCES";
  if ((flags & DRM_MASTER) !== 0 && !file.isMaster) return "EACCES";
  if ((flags & DRM_RENDER_ALLOW) === 0 && file.isRenderClient) return "EACCES";
  return null;
}

export function* drmIoctl(kfile: KFile, cmd: number, arg: IoctlArg): Task<SysResult<IoctlOut>> {
  const file = drmFileOf(kfile);
  const dev = file.dev;
  yield file.ioctlFootprints.drmIoctl; // step("drm_ioctl", [dev, file])
  if (drmDevIsUnplugged(dev)) return fail("ENODEV");
  if (iocType(cmd) !== DRM_IOCTL_BASE) return fail("ENOTTY");
  const nr = iocNr(cmd);
  // Driver-private numbers: the model's drivers define none yet.
  if (nr >= DRM_COMMAND_BASE && nr < DRM_COMMAND_END) return fail("EINVAL");
  const desc = CORE_IOCTLS.get(nr);
  if (desc === undefined) return fail("EINVAL");
  return yield* drmIoctlKernel(file, desc, arg);
}

/** @see drm_ioctl_kernel() */
export function* drmIoctlKernel(file: DrmFile, desc: DrmIoctlDesc, arg: IoctlArg): Task<SysResult<IoctlOut>> {
  yield file.ioctlFootprints.drmIoctlKernel; // step("drm_ioctl_kernel", [file.dev], [file])
  // No drm_file_update_pid(): only the process that opened a file uses it in the model.
  if (drmDevIsUnplugged(file.dev)) return fail("ENODEV");
  const denied = drmIoctlPermit(desc.flags, file);
  if (denied !== null) return fail(denied);
  // The handler's frame is pushed by hand (not with sim.frame()): this is the hot path.
  const sim = file.dev.sim;
  const task = sim.pushFrame(desc.fn);
  try {
    const handler = desc.handler;
    return handler.sleeps ? yield* handler.run(file, arg) : handler.run(file, arg);
  } finally {
    sim.popFrame(task, desc.fn);
  }
}
