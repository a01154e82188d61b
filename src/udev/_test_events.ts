/**
 * Events the udev tests share: xe's WEDGED event from the uevents spec (section 1.1), and
 * arbitraries of well-formed events for property-based tests.
 * @internal
 */
import fc from "fast-check";
import { UEVENT_ACTIONS, type Uevent } from "../uapi/mod.js";

export const WEDGED_DEVPATH = "/devices/pci0000:00/0000:00:01.0/0000:01:00.0/0000:02:01.0/0000:03:00.0/drm/card0";

/** The event of the xe patch's commit message, in the kernel's key order. */
export function wedgedEvent(wedged = "rebind,bus-reset", devpath = WEDGED_DEVPATH, seqnum = 5208): Uevent {
  return {
    action: "change",
    devpath,
    env: [
      ["ACTION", "change"],
      ["DEVPATH", devpath],
      ["SUBSYSTEM", "drm"],
      ["WEDGED", wedged],
      ["MAJOR", "226"],
      ["MINOR", devpath.slice(devpath.lastIndexOf("card") + 4)],
      ["DEVNAME", `dri/${devpath.slice(devpath.lastIndexOf("/") + 1)}`],
      ["DEVTYPE", "drm_minor"],
      ["SEQNUM", String(seqnum)],
    ],
  };
}

const keyChar = fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789".split(""));
const key = fc.string({ unit: keyChar, minLength: 1, maxLength: 12 });
/** Values as the kernel sends them: no NUL, no newline (udevadm prints one property a line). */
const value = fc.string({ maxLength: 40 }).filter((v) => !/[\0\n\r|]/.test(v));
const segment = fc.string({ unit: fc.constantFrom(..."abcdefgh0123:._-".split("")), minLength: 1, maxLength: 10 });

/** Well-formed events: ACTION, DEVPATH and SUBSYSTEM first, then other keys, SEQNUM last. */
export const arbUevent: fc.Arbitrary<Uevent> = fc
  .record({
    action: fc.constantFrom(...UEVENT_ACTIONS),
    segments: fc.array(segment, { minLength: 1, maxLength: 6 }),
    subsystem: segment,
    extra: fc.array(fc.tuple(key, value), { maxLength: 8 }),
    seqnum: fc.nat(),
  })
  .map(({ action, segments, subsystem, extra, seqnum }) => {
    const devpath = `/devices/${segments.join("/")}`;
    const env: [string, string][] = [["ACTION", action], ["DEVPATH", devpath], ["SUBSYSTEM", subsystem]];
    for (const [k, v] of extra) if (!["ACTION", "DEVPATH", "SUBSYSTEM", "SEQNUM"].includes(k)) env.push([k, v]);
    env.push(["SEQNUM", String(seqnum)]);
    return { action, devpath, env };
  });
