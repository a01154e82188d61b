/**
 * One netlink datagram of either kind, told apart by its first bytes as sd-device does: a
 * libudev datagram starts with the string "libudev"; anything else is a kernel datagram.
 */
import type { Uevent } from "../uapi/mod.js";
import { parseKernelDatagram } from "./kernel_datagram.js";
import { isLibudevDatagram, parseLibudevDatagram } from "./libudev_datagram.js";

/** Who sent an event: the kernel (group 1) or systemd-udevd after its rules (group 2). */
export type UeventOrigin = "kernel" | "udev";

export interface ParsedDatagram {
  readonly origin: UeventOrigin;
  readonly event: Uevent;
}

/**
 * Parses a datagram of either kind.
 * @throws UeventFormatError naming the byte offset at fault
 */
export function parseUeventDatagram(bytes: Uint8Array, source = ""): ParsedDatagram {
  if (isLibudevDatagram(bytes)) return { origin: "udev", event: parseLibudevDatagram(bytes, source) };
  return { origin: "kernel", event: parseKernelDatagram(bytes, source) };
}
