/**
 * The model's devices in umockdev's record format (what umockdev-record prints and
 * umockdev_testbed_add_from_string() reads): one block a device, `P:` its devpath, `N:` its
 * node under /dev, `E:` its uevent properties, `A:` its attributes, `L:` its links, a blank
 * line after it. The blocks are read from the model's sysfs, so the testbed shows what the
 * model has: a PCI function with the attributes libdrm reads, and each DRM minor under it with
 * its `dev` (which umockdev turns into /sys/dev/char/226:N and the node's major:minor).
 *
 * @see umockdev_testbed_add_from_string() in umockdev's src/umockdev.vala (0.17)
 */
import { baseName, type Sysfs } from "../base/mod.js";

/**
 * What libdrm reads of a PCI function besides its uevent: drmParsePciDeviceInfo() reads these
 * files (revision only when asked to: DRM_DEVICE_GET_PCI_REVISION).
 */
const PCI_ATTRS = ["vendor", "device", "subsystem_vendor", "subsystem_device", "class", "revision"];

/** An attribute whose value is one line (the record has one line per attribute). */
function attrLine(sysfs: Sysfs, dir: string, name: string): string | null {
  const r = sysfs.read(`${dir}/${name}`);
  if (!r.ok || r.value.trimEnd().includes("\n")) return null;
  return `A: ${name}=${r.value.trimEnd()}`;
}

function ueventLines(sysfs: Sysfs, dir: string): string[] {
  const r = sysfs.read(`${dir}/uevent`);
  if (!r.ok) return [];
  return r.value.split("\n").filter((l) => l.includes("=")).map((l) => `E: ${l}`);
}

function linkLine(sysfs: Sysfs, dir: string, name: string): string | null {
  const r = sysfs.readlink(`${dir}/${name}`);
  return r.ok ? `L: ${name}=${r.value}` : null;
}

/** The subsystem of a device: the last component of its `subsystem` link. */
export function subsystemOf(sysfs: Sysfs, dir: string): string | null {
  const r = sysfs.readlink(`${dir}/subsystem`);
  return r.ok ? baseName(r.value) : null;
}

/**
 * The record block of the device at `dir` (a canonical /sys/devices path), or null when it is
 * not there or has no subsystem. A device with a `dev` attribute and a DEVNAME gets its node.
 */
export function deviceBlock(sysfs: Sysfs, dir: string): string | null {
  const subsystem = subsystemOf(sysfs, dir);
  if (subsystem === null) return null;
  const lines = [`P: ${dir.slice("/sys".length)}`];
  // DEVNAME as udev has it (/dev/dri/card0): umockdev makes the node's major:minor record
  // only then, and writes the kernel's form (dri/card0) to the testbed's uevent file.
  const props = ueventLines(sysfs, dir).map((l) => l.replace(/^E: DEVNAME=(?!\/dev\/)/, "E: DEVNAME=/dev/"));
  const devname = props.find((l) => l.startsWith("E: DEVNAME=/dev/"));
  const dev = attrLine(sysfs, dir, "dev");
  if (devname !== undefined && dev !== null) lines.push(`N: ${devname.slice("E: DEVNAME=/dev/".length)}`);
  lines.push(...props, `E: SUBSYSTEM=${subsystem}`);
  const attrs = subsystem === "pci" ? PCI_ATTRS : [];
  for (const a of dev !== null ? [...attrs, "dev"] : attrs) {
    const line = attrLine(sysfs, dir, a);
    if (line !== null) lines.push(line);
  }
  for (const l of ["device", "driver"]) {
    const line = linkLine(sysfs, dir, l);
    if (line !== null) lines.push(line);
  }
  return `${lines.join("\n")}\n\n`;
}

/**
 * The devices of the model the testbed shows, parents first: every PCI function, and under
 * each the devices of its `drm` directory (minors, and connectors under their card).
 */
export function modelDevices(sysfs: Sysfs): string[] {
  const out: string[] = [];
  const functions = sysfs.readdir("/sys/bus/pci/devices");
  if (!functions.ok) return out;
  for (const f of functions.value) {
    const dir = sysfs.resolve(`/sys/bus/pci/devices/${f.name}`);
    if (dir === null) continue;
    out.push(dir);
    collectChildren(sysfs, `${dir}/drm`, out);
  }
  return out;
}

function collectChildren(sysfs: Sysfs, dir: string, out: string[]): void {
  const entries = sysfs.readdir(dir);
  if (!entries.ok) return;
  for (const e of entries.value) {
    if (e.kind !== "dir") continue;
    const child = `${dir}/${e.name}`;
    if (sysfs.exists(`${child}/uevent`)) out.push(child);
    collectChildren(sysfs, child, out);
  }
}
