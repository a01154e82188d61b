/**
 * DRM ioctl numbers, built the way include/uapi/asm-generic/ioctl.h builds them
 * (direction << 30 | size << 16 | type << 8 | nr), with the struct sizes of x86-64.
 *
 * @see include/uapi/drm/drm.h, include/uapi/drm/drm_mode.h
 */
export const DRM_IOCTL_BASE = 0x64; // 'd'
export const DRM_COMMAND_BASE = 0x40;
export const DRM_COMMAND_END = 0xa0;

const IOC_NONE = 0;
const IOC_WRITE = 1;
const IOC_READ = 2;

export function ioc(dir: number, type: number, nr: number, size: number): number {
  return ((dir << 30) | (size << 16) | (type << 8) | nr) >>> 0;
}

export function iocNr(cmd: number): number {
  return cmd & 0xff;
}

export function iocType(cmd: number): number {
  return (cmd >>> 8) & 0xff;
}

export function iocSize(cmd: number): number {
  return (cmd >>> 16) & 0x3fff;
}

type Dir = "IO" | "IOR" | "IOW" | "IOWR";
const DIR: Record<Dir, number> = { IO: IOC_NONE, IOR: IOC_READ, IOW: IOC_WRITE, IOWR: IOC_READ | IOC_WRITE };

export interface IoctlDef {
  readonly name: string;
  readonly nr: number;
  readonly dir: Dir;
  readonly sizeBytes: number;
  readonly cmd: number;
}

function def(name: string, dir: Dir, nr: number, sizeBytes: number): IoctlDef {
  return { name, nr, dir, sizeBytes, cmd: ioc(DIR[dir], DRM_IOCTL_BASE, nr, sizeBytes) };
}

/** The core DRM ioctls the model knows, by their Linux names. */
export const DRM_IOCTLS: readonly IoctlDef[] = [
  def("DRM_IOCTL_VERSION", "IOWR", 0x00, 64),
  def("DRM_IOCTL_GET_UNIQUE", "IOWR", 0x01, 16),
  def("DRM_IOCTL_GET_MAGIC", "IOR", 0x02, 4),
  def("DRM_IOCTL_GET_CLIENT", "IOWR", 0x05, 40),
  def("DRM_IOCTL_GEM_CLOSE", "IOW", 0x09, 8),
  def("DRM_IOCTL_GET_CAP", "IOWR", 0x0c, 16),
  def("DRM_IOCTL_SET_CLIENT_CAP", "IOW", 0x0d, 16),
  def("DRM_IOCTL_AUTH_MAGIC", "IOW", 0x11, 4),
  def("DRM_IOCTL_SET_MASTER", "IO", 0x1e, 0),
  def("DRM_IOCTL_DROP_MASTER", "IO", 0x1f, 0),
  def("DRM_IOCTL_PRIME_HANDLE_TO_FD", "IOWR", 0x2d, 12),
  def("DRM_IOCTL_PRIME_FD_TO_HANDLE", "IOWR", 0x2e, 12),
  def("DRM_IOCTL_MODE_GETRESOURCES", "IOWR", 0xa0, 64),
  def("DRM_IOCTL_MODE_GETCRTC", "IOWR", 0xa1, 104),
  def("DRM_IOCTL_MODE_SETCRTC", "IOWR", 0xa2, 104),
  def("DRM_IOCTL_MODE_GETCONNECTOR", "IOWR", 0xa7, 80),
  def("DRM_IOCTL_MODE_PAGE_FLIP", "IOWR", 0xb0, 24),
  def("DRM_IOCTL_MODE_CREATE_DUMB", "IOWR", 0xb2, 32),
  def("DRM_IOCTL_MODE_MAP_DUMB", "IOWR", 0xb3, 16),
  def("DRM_IOCTL_MODE_DESTROY_DUMB", "IOWR", 0xb4, 4),
  def("DRM_IOCTL_MODE_ATOMIC", "IOWR", 0xbc, 56),
  def("DRM_IOCTL_SYNCOBJ_CREATE", "IOWR", 0xbf, 8),
  def("DRM_IOCTL_SYNCOBJ_DESTROY", "IOWR", 0xc0, 8),
  def("DRM_IOCTL_MODE_CREATE_LEASE", "IOWR", 0xc6, 24),
];

const byName = new Map(DRM_IOCTLS.map((d) => [d.name, d]));
const byCmd = new Map(DRM_IOCTLS.map((d) => [d.cmd, d]));

export function ioctlByName(name: string): IoctlDef | undefined {
  return byName.get(name);
}

export function ioctlByCmd(cmd: number): IoctlDef | undefined {
  return byCmd.get(cmd >>> 0);
}

export const DRM_IOCTL_NAMES: readonly string[] = DRM_IOCTLS.map((d) => d.name);

/** GET_CAP capabilities. @see include/uapi/drm/drm.h */
export const DRM_CAP = {
  DRM_CAP_DUMB_BUFFER: 0x1,
  DRM_CAP_VBLANK_HIGH_CRTC: 0x2,
  DRM_CAP_DUMB_PREFERRED_DEPTH: 0x3,
  DRM_CAP_DUMB_PREFER_SHADOW: 0x4,
  DRM_CAP_PRIME: 0x5,
  DRM_CAP_TIMESTAMP_MONOTONIC: 0x6,
  DRM_CAP_ASYNC_PAGE_FLIP: 0x7,
  DRM_CAP_CURSOR_WIDTH: 0x8,
  DRM_CAP_CURSOR_HEIGHT: 0x9,
  DRM_CAP_ADDFB2_MODIFIERS: 0x10,
  DRM_CAP_PAGE_FLIP_TARGET: 0x11,
  DRM_CAP_CRTC_IN_VBLANK_EVENT: 0x12,
  DRM_CAP_SYNCOBJ: 0x13,
  DRM_CAP_SYNCOBJ_TIMELINE: 0x14,
  DRM_CAP_ATOMIC_ASYNC_PAGE_FLIP: 0x15,
} as const;

/** SET_CLIENT_CAP capabilities. */
export const DRM_CLIENT_CAP = {
  DRM_CLIENT_CAP_STEREO_3D: 1,
  DRM_CLIENT_CAP_UNIVERSAL_PLANES: 2,
  DRM_CLIENT_CAP_ATOMIC: 3,
  DRM_CLIENT_CAP_ASPECT_RATIO: 4,
  DRM_CLIENT_CAP_WRITEBACK_CONNECTORS: 5,
  DRM_CLIENT_CAP_CURSOR_PLANE_HOTSPOT: 6,
} as const;

export const DRM_MODE_ATOMIC_TEST_ONLY = 0x0100;
export const DRM_MODE_ATOMIC_NONBLOCK = 0x0200;
export const DRM_MODE_ATOMIC_ALLOW_MODESET = 0x0400;

/** The char major of DRM nodes. */
export const DRM_MAJOR = 226;
