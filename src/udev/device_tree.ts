/**
 * The device tree the rules engine walks: a device's attributes, subsystem, driver and parent,
 * read from sysfs as sd-device reads them. Two backends give the same answers:
 * - `DirectorySysfs`: a real sysfs tree under a root directory (/sys, or a copy of one);
 * - `SyscallsSysfs`: the model's sysfs (src/base/sysfs.ts), read by a program of the model
 *   through its system calls (each read a step of the simulation).
 *
 * Paths are devpaths (`/devices/pci0000:00/...`), as uevents carry them.
 *
 * @see sd_device_get_sysattr_value(), sd_device_get_parent(), sd_device_get_subsystem() and
 * sd_device_get_driver() in systemd's sd-device.c
 */
import { existsSync, lstatSync, readFileSync, readlinkSync } from "node:fs";
import type { Call, Syscalls } from "../uapi/mod.js";

/** The three reads a device tree needs, on absolute sysfs paths ("/sys/devices/..."). */
export interface SysfsReader {
  readFile(path: string): Call<string | null>;
  /** The target of a symlink, or null if `path` is not one. */
  readlink(path: string): Call<string | null>;
  exists(path: string): Call<boolean>;
}

export interface DeviceTree {
  /** An attribute's value: the file's content, or the last part of a symlink's target. */
  attr(devpath: string, name: string): Call<string | null>;
  subsystem(devpath: string): Call<string | null>;
  driver(devpath: string): Call<string | null>;
  /** The nearest ancestor directory that is a device, or null. */
  parent(devpath: string): Call<string | null>;
  /** DEVNAME of the device's uevent file, absolute ("/dev/dri/card0"), or null. */
  devname(devpath: string): Call<string | null>;
}

const lastPart = (p: string): string => p.slice(p.lastIndexOf("/") + 1);

/** Attributes must stay inside the device's directory tree, as sd-device refuses `..`. */
function safeAttr(name: string): boolean {
  return name !== "" && !name.startsWith("/") && !name.split("/").includes("..");
}

export class SysfsDeviceTree implements DeviceTree {
  constructor(private readonly sysfs: SysfsReader, private readonly sysRoot = "/sys") {}

  *attr(devpath: string, name: string): Call<string | null> {
    if (!safeAttr(name)) return null;
    const path = `${this.sysRoot}${devpath}/${name}`;
    const link = yield* this.sysfs.readlink(path);
    if (link !== null) return lastPart(link);
    return yield* this.sysfs.readFile(path);
  }

  *subsystem(devpath: string): Call<string | null> {
    const link = yield* this.sysfs.readlink(`${this.sysRoot}${devpath}/subsystem`);
    return link === null ? null : lastPart(link);
  }

  *driver(devpath: string): Call<string | null> {
    const link = yield* this.sysfs.readlink(`${this.sysRoot}${devpath}/driver`);
    return link === null ? null : lastPart(link);
  }

  *parent(devpath: string): Call<string | null> {
    let p = devpath;
    for (;;) {
      p = p.slice(0, p.lastIndexOf("/"));
      if (p.split("/").length < 3) return null; // "/devices" itself is no device
      if (yield* this.isDevice(p)) return p;
    }
  }

  *devname(devpath: string): Call<string | null> {
    const uevent = yield* this.sysfs.readFile(`${this.sysRoot}${devpath}/uevent`);
    const line = uevent?.split("\n").find((l) => l.startsWith("DEVNAME="));
    if (line === undefined) return null;
    const name = line.slice("DEVNAME=".length);
    return name.startsWith("/") ? name : `/dev/${name}`;
  }

  private *isDevice(path: string): Call<boolean> {
    return (yield* this.sysfs.exists(`${this.sysRoot}${path}/uevent`)) || (yield* this.sysfs.exists(`${this.sysRoot}${path}/subsystem`));
  }
}

/** A real sysfs tree: `/sys/...` paths are read under `root` (default "/sys"). Never yields. */
export class DirectorySysfs implements SysfsReader {
  constructor(private readonly root = "/sys") {}

  private real(path: string): string {
    return this.root + path.replace(/^\/sys/, "");
  }

  *readFile(path: string): Call<string | null> {
    try {
      return readFileSync(this.real(path), "utf8");
    } catch {
      return null;
    }
  }

  *readlink(path: string): Call<string | null> {
    try {
      return lstatSync(this.real(path)).isSymbolicLink() ? readlinkSync(this.real(path)) : null;
    } catch {
      return null;
    }
  }

  *exists(path: string): Call<boolean> {
    return existsSync(this.real(path));
  }
}

/** The model's sysfs as a program of the model reads it. */
export class SyscallsSysfs implements SysfsReader {
  constructor(private readonly sys: Syscalls) {}

  *readFile(path: string): Call<string | null> {
    const r = yield* this.sys.readFile(path);
    return r.ok ? r.value : null;
  }

  *readlink(path: string): Call<string | null> {
    const r = yield* this.sys.readlink(path);
    return r.ok ? r.value : null;
  }

  *exists(path: string): Call<boolean> {
    return yield* this.sys.exists(path);
  }
}

/** The device tree of a real sysfs directory. */
export function directoryDeviceTree(root = "/sys"): DeviceTree {
  return new SysfsDeviceTree(new DirectorySysfs(root));
}

/** The device tree of the model's sysfs, read through a program's system calls. */
export function syscallsDeviceTree(sys: Syscalls): DeviceTree {
  return new SysfsDeviceTree(new SyscallsSysfs(sys));
}
