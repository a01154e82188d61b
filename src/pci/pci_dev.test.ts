import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { ModelAssertionError } from "../kernel/mod.js";
import { BDF, bochsCard, machine } from "./_testing.js";
import { kstrtoul, parseBdf, simpleStrtoul, sysfsStreqValue } from "./_parse.js";
import { PciDev, PciHardware, pciRead32, pciUevent, pciWrite32 } from "./pci_dev.js";
import { PCI_ANY_ID, pciMatchId } from "./pci_driver.js";

describe("PciDev", () => {
  test("pciUevent() gives pci_uevent()'s keys in order, as Linux 6.12 sends them for bochs-display", () => {
    const m = machine({ rootPorts: [1] });
    const pdev = new PciDev(m.kernel, m.bus.slot(1)!.port!, BDF, bochsCard());
    assert.deepEqual(pciUevent(pdev), [
      ["PCI_CLASS", "38000"],
      ["PCI_ID", "1234:1111"],
      ["PCI_SUBSYS_ID", "1AF4:1100"],
      ["PCI_SLOT_NAME", "0000:01:00.0"],
      ["MODALIAS", "pci:v00001234d00001111sv00001AF4sd00001100bc03sc80i00"],
    ]);
    assert.equal(pdev.devpath, "/devices/pci0000:00/0000:00:01.0/0000:01:00.0");
    assert.equal(pdev.mem.type, "pci_dev");
  });

  test("pciUevent() pads PCI_CLASS to 4 hex digits (%04X)", () => {
    const m = machine();
    const hw = new PciHardware({ vendor: 0x8086, device: 0xabcd, subsystemVendor: 0, subsystemDevice: 0, classCode: 0x000100, vramBytes: 0, mmioBytes: 4 });
    const pdev = new PciDev(m.kernel, m.bus.hostBridge, "0000:00:05.0", hw);
    assert.deepEqual(pciUevent(pdev).slice(0, 2), [["PCI_CLASS", "0100"], ["PCI_ID", "8086:ABCD"]]);
    assert.equal(pdev.devpath, "/devices/pci0000:00/0000:00:05.0");
  });

  test("pciRead32()/pciWrite32() reach the card until it is gone, then read all ones and drop writes", () => {
    const m = machine({ rootPorts: [1] });
    const hw = bochsCard();
    const pdev = new PciDev(m.kernel, m.bus.slot(1)!.port!, BDF, hw);
    const r = m.run(function* () {
      const out: number[] = [yield* pciRead32(pdev, 8)];
      yield* pciWrite32(pdev, 8, 0x1234);
      out.push(yield* pciRead32(pdev, 8));
      hw.present = false;
      yield* pciWrite32(pdev, 8, 0x5678);
      out.push(yield* pciRead32(pdev, 8));
      hw.present = true;
      out.push(yield* pciRead32(pdev, 8));
      hw.powered = false;
      out.push(yield* pciRead32(pdev, 8));
      return out;
    });
    assert.deepEqual(r, [0, 0x1234, 0xffffffff, 0x1234, 0xffffffff]);
    assert.throws(() => m.run(() => pciRead32(pdev, 2)), ModelAssertionError);
    assert.throws(() => m.run(() => pciRead32(pdev, 4096)), ModelAssertionError);
  });

  test("PciHardware rejects IDs that are not 16-bit", () => {
    assert.throws(() => new PciHardware({ vendor: 0x10000, device: 0, subsystemVendor: 0, subsystemDevice: 0, classCode: 0, vramBytes: 0, mmioBytes: 4 }), /Cannot make PCI card: vendor/);
  });

  test("pciMatchId() matches exact IDs and PCI_ANY_ID", () => {
    const hw = bochsCard();
    assert.deepEqual(pciMatchId([{ vendor: 0x1234, device: 0x1111 }], hw), { vendor: 0x1234, device: 0x1111 });
    assert.deepEqual(pciMatchId([{ vendor: 0x1234, device: PCI_ANY_ID }], hw), { vendor: 0x1234, device: PCI_ANY_ID });
    assert.equal(pciMatchId([{ vendor: 0x1234, device: 0x1112 }, { vendor: 0x8086, device: PCI_ANY_ID }], hw), null);
  });
});

describe("sysfs input parsing", () => {
  test("kstrtoul() takes one trailing newline and base prefixes, nothing else", () => {
    assert.equal(kstrtoul("1"), 1);
    assert.equal(kstrtoul("1\n"), 1);
    assert.equal(kstrtoul("0x10"), 16);
    assert.equal(kstrtoul("010"), 8);
    assert.equal(kstrtoul("0"), 0);
    assert.equal(kstrtoul(" 1"), null);
    assert.equal(kstrtoul("1 "), null);
    assert.equal(kstrtoul("1\n\n"), null);
    assert.equal(kstrtoul(""), null);
    assert.equal(kstrtoul("-1"), null);
  });

  test("simpleStrtoul() reads leading digits and never fails", () => {
    assert.equal(simpleStrtoul("1\n"), 1);
    assert.equal(simpleStrtoul("abc"), 0);
    assert.equal(simpleStrtoul("12abc"), 12);
  });

  test("sysfsStreqValue() ignores one trailing newline; parseBdf() reads pci_name()", () => {
    assert.equal(sysfsStreqValue("0000:01:00.0\n"), "0000:01:00.0");
    assert.deepEqual(parseBdf("0000:01:00.0"), { domain: 0, bus: 1, device: 0, fn: 0 });
    assert.deepEqual(parseBdf("0000:00:1f.3"), { domain: 0, bus: 0, device: 0x1f, fn: 3 });
    assert.equal(parseBdf("0000:00:20.0"), null);
    assert.equal(parseBdf("0000:01:00.8"), null);
    assert.equal(parseBdf("0000:1:00.0"), null);
  });
});
