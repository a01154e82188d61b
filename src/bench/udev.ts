/**
 * The udev layer's figures (issue 11, part 6): uevents parsed per second from the kernel's
 * datagram, from systemd's libudev datagram and from `udevadm monitor --property` text, and
 * events matched per second against 1 000 rules (a mix of the keys and globs real rules use,
 * none reading sysfs, the last one matching).
 */
import type { Uevent } from "../uapi/mod.js";
import {
  applyRules, directoryDeviceTree, encodeKernelDatagram, encodeLibudevDatagram, formatUdevadmEvent, parseKernelDatagram,
  parseLibudevDatagram, parseRuleSet, parseUdevadmText, runSync,
} from "../udev/mod.js";
import { perSecond, sampleRuns, timeNs, type Row } from "./measure.js";

export interface UdevBenchOptions {
  readonly events: number;
  readonly rules: number;
  readonly matches: number;
  readonly runs: number;
}

function wedged(seqnum: number, card: number): Uevent {
  const devpath = `/devices/pci0000:00/0000:00:01.0/0000:01:00.0/0000:02:01.0/0000:03:00.0/drm/card${card}`;
  return {
    action: "change",
    devpath,
    env: [
      ["ACTION", "change"], ["DEVPATH", devpath], ["SUBSYSTEM", "drm"], ["WEDGED", "rebind,bus-reset"], ["MAJOR", "226"],
      ["MINOR", String(card)], ["DEVNAME", `dri/card${card}`], ["DEVTYPE", "drm_minor"], ["SEQNUM", String(seqnum)],
    ],
  };
}

/** `count` rules: varied keys and globs that do not match the WEDGED event, then one that does. */
export function benchRules(count: number): string {
  const shapes = [
    (i: number) => `SUBSYSTEM=="block", KERNEL=="sd[a-z]${i}", RUN+="/usr/bin/true %k"`,
    (i: number) => `ACTION=="add", SUBSYSTEM=="usb", ENV{ID_MODEL}=="model${i}*", ENV{X${i}}="1"`,
    (i: number) => `SUBSYSTEM=="drm", KERNEL=="renderD${i}|controlD${i}", RUN+="/usr/bin/true"`,
    (i: number) => `SUBSYSTEM=="drm", ENV{WEDGED}=="vendor-specific-${i}", RUN+="/opt/h${i} $env{DEVPATH}"`,
    (i: number) => `DEVPATH=="*/net/eth${i}", ENV{NM_UNMANAGED}="1"`,
  ];
  const lines: string[] = [];
  for (let i = 0; i < count - 1; i++) lines.push(shapes[i % shapes.length]!(i));
  lines.push('SUBSYSTEM=="drm", ENV{WEDGED}=="*rebind*", KERNEL=="card[0-9]*", RUN+="/usr/lib/vdrm/rebind $env{DEVPATH}"');
  return lines.join("\n");
}

function parseRate(name: string, inputs: readonly Buffer[], parse: (b: Buffer) => Uevent, runs: number): Row {
  let parsed = 0;
  const nsPerEvent = sampleRuns(runs, () => timeNs(() => {
    for (const b of inputs) parsed += parse(b).env.length > 0 ? 1 : 0;
  }) / inputs.length);
  if (parsed === 0) throw new Error(`Cannot bench ${name}: nothing parsed`);
  return { name, summary: perSecond(nsPerEvent), unit: "events/s", target: null };
}

export function benchUdev(o: UdevBenchOptions): Row[] {
  const events = Array.from({ length: o.events }, (_, i) => wedged(1000 + i, i % 16));
  const kernel = events.map(encodeKernelDatagram);
  const libudev = events.map(encodeLibudevDatagram);
  const text = events.map((ev, i) => formatUdevadmEvent(ev, 265_000_000 + i)).join("");
  let textEvents = 0;
  const nsPerTextEvent = sampleRuns(o.runs, () => timeNs(() => {
    textEvents += parseUdevadmText(text).length;
  }) / o.events);
  if (textEvents === 0) throw new Error("Cannot bench udevadm text: nothing parsed");
  const rules = parseRuleSet([["bench.rules", benchRules(o.rules)]]);
  const tree = directoryDeviceTree("/nonexistent-sysfs");
  let ran = 0;
  const nsPerMatch = sampleRuns(o.runs, () => timeNs(() => {
    for (let i = 0; i < o.matches; i++) ran += runSync(applyRules(rules, events[i % events.length]!, tree)).run.length;
  }) / o.matches);
  if (ran === 0) throw new Error("Cannot bench rule matching: the last rule never matched");
  return [
    parseRate("uevent parse: kernel datagram", kernel, (b) => parseKernelDatagram(b), o.runs),
    parseRate("uevent parse: libudev datagram", libudev, (b) => parseLibudevDatagram(b), o.runs),
    { name: "uevent parse: udevadm monitor text", summary: perSecond(nsPerTextEvent), unit: "events/s", target: null },
    { name: `udev rules: ${o.rules} rules, one event`, summary: perSecond(nsPerMatch), unit: "events/s", target: null },
    { name: `udev rules: ${o.rules} rules, one event`, summary: { ...nsPerMatch, median: nsPerMatch.median / 1000, min: nsPerMatch.min / 1000, max: nsPerMatch.max / 1000 }, unit: "us/event", target: null },
  ];
}
