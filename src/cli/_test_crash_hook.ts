/**
 * @internal Test only, never part of the package: loaded with `node --import`, it plants a
 * model assertion so that the tests reach the internal-error path of the built command
 * (exit 70) deterministically, without a user-visible flag. VDRM_TEST_CRASH says where:
 * "sleep" (default), the `sleep` step kind of scenarios; "card", making any world's PCI card
 * (at boot, in scenarios, IGT subtests and the real-kernel replay alike).
 */
import { assert } from "../kernel/mod.js";
import { OPS } from "../scenario/mod.js";
import { World } from "../world/mod.js";

const where = process.env["VDRM_TEST_CRASH"] ?? "sleep";
if (where === "card") {
  World.prototype.makeCard = function makeCard(): never {
    assert(false, "Cannot make card: assertion planted by the test hook");
  };
} else {
  const sleep = OPS.get("sleep");
  assert(sleep !== undefined, "Cannot plant the assertion: no sleep op");
  Object.assign(sleep, {
    // eslint-disable-next-line require-yield
    *run(): Generator<never, never> {
      assert(false, "Cannot sleep: assertion planted by the test hook");
    },
  });
}
