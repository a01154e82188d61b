/**
 * The sync_file uapi: the ioctl a program asks a sync_file fd about its fence with. Its magic
 * is '>', not DRM's 'd'.
 *
 * SYNC_IOC_FILE_INFO with `num_fences` 0 asks for the name, the status (0 active, 1 signalled,
 * a negative errno when signalled with an error) and the number of fences. With `num_fences`
 * >= that number the kernel also fills the array of struct sync_fence_info that
 * `sync_fence_info` points to; the model computes the status that way too, but has no user
 * memory to write the array into (see docs/scenarios.md).
 *
 * @see include/uapi/linux/sync_file.h
 */
import { ioctlDef } from "./ioctl.js";
import { __s32, __u32, __u64, chars, cstruct } from "./ioctl_struct.js";

/** The ioctl magic of sync_file. @see SYNC_IOC_MAGIC */
export const SYNC_IOC_MAGIC = 0x3e; // '>'

export const sync_file_info = cstruct("sync_file_info", {
  name: chars(32),
  status: __s32,
  flags: __u32,
  num_fences: __u32,
  pad: __u32,
  sync_fence_info: __u64,
});

export const SYNC_IOC_FILE_INFO = ioctlDef(
  "SYNC_IOC_FILE_INFO",
  "IOWR",
  4,
  sync_file_info,
  {
    name: "out",
    status: "out",
    flags: "in",
    num_fences: "inout",
    pad: "in",
    sync_fence_info: "in",
  },
  56,
  SYNC_IOC_MAGIC,
);

/** Every sync_file ioctl the model knows. */
export const SYNC_FILE_IOCTLS = [SYNC_IOC_FILE_INFO] as const;
