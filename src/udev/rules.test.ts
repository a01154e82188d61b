import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import fc from "fast-check";
import { runSync } from "./call.js";
import { directoryDeviceTree } from "./device_tree.js";
import { wedgedEvent, WEDGED_DEVPATH } from "./_test_events.js";
import { formatDiagnostic } from "./rules.js";
import { applyRules, type RulesResult } from "./rules_apply.js";
import { chooseRulesFiles, parseRuleSet } from "./rules_files.js";
import { splitCommand } from "./run_program.js";

const PCI = WEDGED_DEVPATH.slice(0, -"/drm/card0".length);

/** A sysfs tree: xe's PCI function (vendor 0x8086, driver xe) with drm/card0 below it. */
function sysfsTree(): string {
  const root = join(mkdtempSync(join(tmpdir(), "vdrm-sysfs-")), "sys");
  const pci = join(root, PCI);
  mkdirSync(join(pci, "drm/card0"), { recursive: true });
  mkdirSync(join(root, "bus/pci/drivers/xe"), { recursive: true });
  writeFileSync(join(pci, "uevent"), "DRIVER=xe\n");
  writeFileSync(join(pci, "vendor"), "0x8086\n");
  writeFileSync(join(pci, "drm/card0/uevent"), "MAJOR=226\nMINOR=0\nDEVNAME=dri/card0\n");
  writeFileSync(join(pci, "drm/card0/dev"), "226:0\n");
  symlinkSync("../../../../../bus/pci/drivers/xe", join(pci, "driver"));
  symlinkSync("../../../../../bus/pci", join(pci, "subsystem"));
  return root;
}

function apply(rules: string, ev = wedgedEvent(), root = sysfsTree()): RulesResult {
  const set = parseRuleSet([["t.rules", rules]]);
  assert.deepEqual(set.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic), []);
  return runSync(applyRules(set, ev, directoryDeviceTree(root)));
}

const runs = (r: RulesResult): string[] => r.run.map((c) => c.command);

test("applyRules(): parent keys match one parent together; $id, $driver and $attr read it", () => {
  const r = apply('KERNEL=="card*", SUBSYSTEMS=="pci", DRIVERS=="xe", ATTRS{vendor}=="0x8086", RUN+="/r %k %n $id $driver $attr{vendor} %E{WEDGED} %%"');
  assert.deepEqual(runs(r), [`/r card0 0 0000:03:00.0 xe 0x8086 rebind,bus-reset %`]);
  const split = apply('SUBSYSTEMS=="pci", DRIVERS=="i915", RUN+="/r"\nKERNELS=="card0", ATTRS{vendor}=="0x8086", RUN+="/s"', wedgedEvent(), sysfsTree());
  assert.deepEqual(runs(split), []);
  assert.equal(split.lines[0]?.failed?.reason, "does not match on the device, nor on any parent device");
});

test("applyRules(): ATTR ignores trailing whitespace unless the value has some; ENV{}=\"\" is unset", () => {
  assert.deepEqual(runs(apply('ATTR{dev}=="226:0", ENV{NOPE}=="", RUN+="/a"\nATTR{dev}=="226:0 ", RUN+="/b"')), ["/a"]);
});

test("applyRules(): GOTO skips to its LABEL; := makes RUN final; = resets it; ENV += appends", () => {
  const r = apply([
    'RUN+="/first"',
    'SUBSYSTEM=="drm", GOTO="drm_end"',
    'RUN+="/skipped"',
    'LABEL="drm_end"',
    'ENV{LIST}="a", ENV{LIST}+="b"',
    'RUN="/reset"',
    'RUN:="/final $env{LIST}"',
    'RUN+="/too-late"',
  ].join("\n"));
  assert.deepEqual(runs(r), ["/final a b"]);
  assert.deepEqual(r.lines.map((l) => `${l.at.line} ${l.matched}`), ["1 true", "2 true", "5 true", "6 true", "7 true", "8 true"]);
  assert.deepEqual(r.lines[5]?.ignored, ['RUN+="/too-late" (RUN was set with := before)']);
});

test("applyRules(): |, ?*, != and i\"\" as udev compares them; RUN sees ENV set by later rules", () => {
  const r = apply([
    'ENV{WEDGED}=="none|rebind,bus-reset", RUN+="/alt $env{LATE}"',
    'ENV{WEDGED}=="?*", ENV{PID}!="?*", RUN+="/present"',
    'KERNEL!="card0", RUN+="/not"',
    'SUBSYSTEM==i"DRM", RUN+="/fold"',
    'ENV{LATE}="set"',
  ].join("\n"));
  assert.deepEqual(runs(r), ["/alt set", "/present", "/fold"]);
});

test("parseRuleSet(): every problem is a diagnostic with file, line and column, never a throw (property)", () => {
  const piece = fc.constantFrom('KERNEL=="x"', "ENV{A}", '="', "RUN+=", '"', "{", "}", ",", " ", "\\\n", "\n", "#", "GOTO=", 'LABEL="l"', "e", "i", "$env{", "%", "=", "!=", ":=");
  fc.assert(
    fc.property(fc.array(fc.oneof(piece, fc.string({ maxLength: 6 })), { maxLength: 25 }), (parts) => {
      const set = parseRuleSet([["f.rules", parts.join("")]]);
      for (const d of set.diagnostics) assert.match(formatDiagnostic(d), /^f\.rules:\d+:\d+: (error|warning): ./);
      runSync(applyRules(set, wedgedEvent(), directoryDeviceTree("/nonexistent")));
    }),
    { numRuns: 1000 },
  );
});

test("chooseRulesFiles(): lexical order across directories, the earlier directory wins a name, /dev/null masks", () => {
  const base = mkdtempSync(join(tmpdir(), "vdrm-rulesd-"));
  const [etc, lib] = [join(base, "etc"), join(base, "lib")];
  mkdirSync(etc);
  mkdirSync(lib);
  writeFileSync(join(lib, "50-a.rules"), "");
  writeFileSync(join(lib, "60-b.rules"), 'RUN+="/b"');
  writeFileSync(join(lib, "70-c.rules"), 'RUN+="/c"');
  writeFileSync(join(lib, "README"), "");
  writeFileSync(join(etc, "60-b.rules"), 'RUN+="/b-local"');
  writeFileSync(join(etc, "10-z.rules"), 'RUN+="/z"');
  symlinkSync("/dev/null", join(etc, "70-c.rules"));
  const choice = chooseRulesFiles([etc, lib]);
  assert.deepEqual(choice.files, [join(etc, "10-z.rules"), join(etc, "60-b.rules")]);
  assert.deepEqual(choice.hidden.map((h) => h.path).sort(), [join(lib, "60-b.rules"), join(lib, "70-c.rules"), "50-a.rules", "70-c.rules"].sort());
});

test("splitCommand() splits as udev does: quotes group, backslashes stay, no shell", () => {
  assert.deepEqual(splitCommand(`/bin/sh -c 'echo "a b"; exit 3'  x\\y "q r"`), ["/bin/sh", "-c", 'echo "a b"; exit 3', "x\\y", "q r"]);
});
