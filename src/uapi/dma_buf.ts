/**
 * The dma-buf uapi: the ioctls of a dma-buf fd (magic 'b'). A dma-buf is a buffer one device
 * exports as a file (DRM_IOCTL_PRIME_HANDLE_TO_FD) so that a program can map it, pass it on
 * and import it into another device.
 *
 * - DMA_BUF_IOCTL_SYNC brackets CPU access to a mapping: `flags` is START or END with READ,
 *   WRITE or both.
 * - DMA_BUF_SET_NAME names the buffer (shown in /proc/<pid>/fdinfo); its argument is a
 *   `const char __user *` to the name itself, not a struct: the model describes it as a struct
 *   of that one pointer, which is the same 8 bytes. On x86-64 it is DMA_BUF_SET_NAME_B.
 * - DMA_BUF_IOCTL_EXPORT_SYNC_FILE gives a sync_file of the buffer's fences for the access
 *   in `flags` (READ, WRITE): `fd` is the new sync_file.
 *
 * @see include/uapi/linux/dma-buf.h
 */
import { ioctlDef } from "./ioctl.js";
import { __s32, __u32, __u64, cstruct, userStringIn } from "./ioctl_struct.js";

/** The ioctl magic of dma-buf. @see DMA_BUF_BASE */
export const DMA_BUF_BASE = 0x62; // 'b'

export const DMA_BUF_SYNC_READ = 1 << 0;
export const DMA_BUF_SYNC_WRITE = 2 << 0;
export const DMA_BUF_SYNC_RW = DMA_BUF_SYNC_READ | DMA_BUF_SYNC_WRITE;
export const DMA_BUF_SYNC_START = 0 << 2;
export const DMA_BUF_SYNC_END = 1 << 2;
export const DMA_BUF_SYNC_VALID_FLAGS_MASK = DMA_BUF_SYNC_RW | DMA_BUF_SYNC_END;

/** Bytes of a dma-buf's name, the NUL included. @see DMA_BUF_NAME_LEN */
export const DMA_BUF_NAME_LEN = 32;

export const dma_buf_sync = cstruct("dma_buf_sync", { flags: __u64 });

/** DMA_BUF_SET_NAME's argument: the name's address itself (a `const char __user *`). */
export const dma_buf_name = cstruct("dma_buf_name", { name: userStringIn(DMA_BUF_NAME_LEN) });

export const dma_buf_export_sync_file = cstruct("dma_buf_export_sync_file", {
  flags: __u32,
  fd: __s32,
});

export const DMA_BUF_IOCTL_SYNC = ioctlDef(
  "DMA_BUF_IOCTL_SYNC",
  "IOW",
  0,
  dma_buf_sync,
  { flags: "in" },
  8,
  DMA_BUF_BASE,
);

export const DMA_BUF_SET_NAME = ioctlDef(
  "DMA_BUF_SET_NAME",
  "IOW",
  1,
  dma_buf_name,
  { name: "in" },
  8,
  DMA_BUF_BASE,
);

export const DMA_BUF_IOCTL_EXPORT_SYNC_FILE = ioctlDef(
  "DMA_BUF_IOCTL_EXPORT_SYNC_FILE",
  "IOWR",
  2,
  dma_buf_export_sync_file,
  { flags: "in", fd: "out" },
  8,
  DMA_BUF_BASE,
);

/** Every dma-buf ioctl the model knows. */
export const DMA_BUF_IOCTLS = [
  DMA_BUF_IOCTL_SYNC,
  DMA_BUF_SET_NAME,
  DMA_BUF_IOCTL_EXPORT_SYNC_FILE,
] as const;
