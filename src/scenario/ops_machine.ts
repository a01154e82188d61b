/**
 * Physical steps: a card pulled out of its hot-plug slot (an eGPU cable, a surprise removal
 * that pciehp handles), a new card plugged in, and a display plugged into or pulled out of a
 * card's output. They are what a person does to the machine, not system calls, so they fail
 * with a message, not an errno.
 */
import { z } from "zod";
import type { Call } from "../uapi/mod.js";
import { defineOp, okFields, type Outcome } from "./op.js";
import { bdf, driverName } from "./schema.js";

export const pullCardOp = defineOp({
  name: "pull-card",
  summary: "pull the card at a bus address out of its hot-plug slot (surprise removal: MMIO reads all ones, then pciehp removes the device)",
  schema: z.object({ "pull-card": bdf }).strict(),
  describe: (a) => `pull card ${a["pull-card"]}`,
  *run(ctx, a): Call<Outcome> {
    const err = yield* ctx.machine.pullCard(a["pull-card"]);
    return err === null ? okFields({}) : { status: "error", message: err };
  },
});

export const plugCardOp = defineOp({
  name: "plug-card",
  summary: "plug a new card for a built-in driver into the empty hot-plug slot of a bus address (pciehp enumerates and probes it)",
  schema: z.object({ "plug-card": bdf, driver: driverName }).strict(),
  describe: (a) => `plug ${a.driver} card into ${a["plug-card"]}`,
  *run(ctx, a): Call<Outcome> {
    const err = yield* ctx.machine.plugCard(a["plug-card"], a.driver);
    return err === null ? okFields({}) : { status: "error", message: err };
  },
});

export const unplugDisplayOp = defineOp({
  name: "unplug-display",
  summary: "pull the display out of the output of the card at a bus address (its driver's hot-plug interrupt reports the connector disconnected: change HOTPLUG=1 CONNECTOR=<id>)",
  schema: z.object({ "unplug-display": bdf }).strict(),
  describe: (a) => `unplug the display of ${a["unplug-display"]}`,
  *run(ctx, a): Call<Outcome> {
    const err = yield* ctx.machine.setDisplay(a["unplug-display"], false);
    return err === null ? okFields({}) : { status: "error", message: err };
  },
});

export const plugDisplayOp = defineOp({
  name: "plug-display",
  summary: "plug a display into the output of the card at a bus address (the connector reads connected again, with its mode: change HOTPLUG=1 CONNECTOR=<id>)",
  schema: z.object({ "plug-display": bdf }).strict(),
  describe: (a) => `plug a display into ${a["plug-display"]}`,
  *run(ctx, a): Call<Outcome> {
    const err = yield* ctx.machine.setDisplay(a["plug-display"], true);
    return err === null ? okFields({}) : { status: "error", message: err };
  },
});
