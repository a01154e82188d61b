/**
 * A fake machine in a temporary directory for the daemon's tests and benchmark: a sysfs tree with
 * one xe-like PCI function (0000:03:00.0, card0 and renderD128, a hotplug slot, a
 * devcoredump), a procfs tree, a /dev tree, a canary file outside every root, and a fake
 * `udevadm` that prints recorded events then waits to be stopped.
 */
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";

export const BUS_ID = "0000:03:00.0";
export const PCI = `/devices/pci0000:00/0000:00:01.0/0000:01:00.0/0000:02:01.0/${BUS_ID}`;
export const CARD0 = `${PCI}/drm/card0`;

export interface FakeMachine {
  readonly dir: string;
  readonly sys: string;
  readonly proc: string;
  readonly dev: string;
  readonly journal: string;
  readonly telemetry: string;
  readonly canary: string;
  readonly bin: string;
}

function file(path: string, text = ""): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

function link(path: string, target: string): void {
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(relative(dirname(path), target), path);
}

function sysfs(sys: string): void {
  const pci = join(sys, PCI);
  for (const f of ["reset", "remove"]) file(join(pci, f));
  file(join(pci, "uevent"), `DRIVER=xe\nPCI_SLOT_NAME=${BUS_ID}\n`);
  link(join(pci, "subsystem"), join(sys, "bus/pci"));
  for (const f of ["bind", "unbind"]) file(join(sys, "bus/pci/drivers/xe", f));
  link(join(pci, "driver"), join(sys, "bus/pci/drivers/xe"));
  file(join(sys, "bus/pci/rescan"));
  file(join(sys, "bus/pci/slots/3/address"), "0000:03:00\n");
  file(join(sys, "bus/pci/slots/3/power"), "1\n");
  for (const [name, minor] of [["card0", 0], ["renderD128", 128]] as const) {
    file(join(pci, "drm", name, "dev"), `226:${minor}\n`);
    file(join(pci, "drm", name, "uevent"), `MAJOR=226\nMINOR=${minor}\nDEVNAME=dri/${name}\nDEVTYPE=drm_minor\n`);
    link(join(pci, "drm", name, "device"), pci);
    link(join(sys, "class/drm", name), join(pci, "drm", name));
  }
  file(join(sys, "class/devcoredump/devcd1/data"), "xe devcoredump: GuC hang\n");
  link(join(sys, "class/devcoredump/devcd1/failing_device"), pci);
}

/** A fake machine; `holder` gives a process (pid 4242, glxgears) an fd on card0. */
export function fakeMachine(o: { readonly holder?: boolean } = {}): FakeMachine {
  const dir = mkdtempSync(join(tmpdir(), "vdrm-recoveryd-"));
  const m: FakeMachine = {
    dir, sys: join(dir, "sys"), proc: join(dir, "proc"), dev: join(dir, "dev"), journal: join(dir, "state/journal.jsonl"),
    telemetry: join(dir, "state/telemetry"), canary: join(dir, "outside/canary"), bin: join(dir, "bin"),
  };
  sysfs(m.sys);
  file(join(m.dev, "dri/card0"));
  file(join(m.dev, "dri/renderD128"));
  file(m.canary, "untouched\n");
  file(join(m.proc, "100/comm"), "Xwayland\n");
  file(join(m.proc, "100/maps"), "");
  mkdirSync(join(m.proc, "100/fd"), { recursive: true });
  symlinkSync("/dev/null", join(m.proc, "100/fd/0"));
  if (o.holder === true) {
    file(join(m.proc, "4242/comm"), "glxgears\n");
    mkdirSync(join(m.proc, "4242/fd"), { recursive: true });
    symlinkSync("/dev/dri/card0", join(m.proc, "4242/fd/3"));
    file(join(m.proc, "4242/fdinfo/3"), `pos:\t0\nflags:\t02100002\ndrm-driver:\txe\ndrm-pdev:\t${BUS_ID}\n`);
    file(join(m.proc, "4242/maps"), "7f0000000000-7f0000001000 rw-s 100000000 00:05 321 /dev/dri/card0\n");
  }
  mkdirSync(m.bin, { recursive: true });
  return m;
}

/** Every file under `dir` with its contents (symlinks as "-> target"), to compare before and after. */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isSymbolicLink()) out.set(p, "symlink");
      else if (e.isDirectory()) walk(p);
      else out.set(p, `${readFileSync(p, "utf8")} (${statSync(p).mtimeMs})`);
    }
  };
  walk(dir);
  return out;
}

/** udevadm monitor text of a WEDGED event on `devpath`. */
export function wedgedText(devpath = CARD0, wedged = "rebind,bus-reset", seqnum = 5208, extra: readonly string[] = []): string {
  const card = devpath.slice(devpath.lastIndexOf("/") + 1);
  return [
    `KERNEL[265.${String(802982 + seqnum).padStart(6, "0")}] change   ${devpath} (drm)`,
    "ACTION=change", `DEVPATH=${devpath}`, "SUBSYSTEM=drm", `WEDGED=${wedged}`, ...extra, `DEVNAME=/dev/dri/${card}`,
    "DEVTYPE=drm_minor", `SEQNUM=${seqnum}`, "MAJOR=226", `MINOR=${card.replace(/\D/g, "")}`, "", "",
  ].join("\n");
}

/** A fake udevadm in `m.bin`: prints the banner and `events`, then sleeps until it is killed. */
export function fakeUdevadm(m: FakeMachine, events: string): string {
  const text = join(m.dir, "events.txt");
  writeFileSync(text, `monitor will print the received events for:\nKERNEL - the kernel uevent\n\n${events}`);
  const path = join(m.bin, "udevadm");
  writeFileSync(path, `#!/bin/sh\n[ "$1 $2 $3 $4" = "monitor --kernel --property --subsystem-match=drm" ] || { echo "unexpected arguments: $*" >&2; exit 2; }\ncat "${text}"\nexec sleep 600\n`);
  chmodSync(path, 0o755);
  return path;
}
