/**
 * The `compositor` step: the program runs one of the built-in compositors
 * (src/userspace/compositor.ts) for a number of frames, and the step returns what it saw:
 * the cards it drove (`cards`, in the order it opened them; `kms: atomic` drives each with atomic
 * commits when it grants the atomic cap), the flip-complete events it read
 * on each (`flips`) and those after it dropped its first card (`flips_after_drop`), the cards
 * it dropped (`dropped`), the calls that failed (`errors`, "card0 DRM_IOCTL_MODE_PAGE_FLIP
 * ENODEV") and a log line per event (`log`). A compositor that never ends its frames (the
 * naive one after an unplug in mainline) leaves the step blocked.
 */
import { z } from "zod";
import { COMPOSITORS, type CompositorKind, type KmsApi } from "../userspace/mod.js";
import { formatDurationUs } from "./duration.js";
import { defineOp, duration, durationUs, oneOf, okFields, type Outcome } from "./op.js";
import { signalName } from "./ops_control.js";
import { bdf } from "./schema.js";
import type { Call } from "../uapi/mod.js";

const KINDS: readonly CompositorKind[] = ["robust", "naive"];
const KMS_APIS: readonly KmsApi[] = ["atomic", "legacy"];
/** One frame of a 60 Hz display, the default timer period. */
const FRAME_US = 16_667;
const FRAMES_MAX = 100_000;

export const compositorOp = defineOp({
  name: "compositor",
  summary:
    "run a built-in compositor (robust or naive) on the cards of `devices` (bus addresses) " +
    "for `frames` frames of `period` (16667us), with `kms: atomic` commits where the card " +
    "grants the atomic cap or `legacy` SETCRTC/PAGE_FLIP (the default); `ready: NAME` signals " +
    "once its outputs are lit; result cards, flips, flips_after_drop, dropped, errors, log",
  main: "cards",
  schema: z
    .object({
      compositor: oneOf("compositor", KINDS),
      devices: z.array(bdf).min(1),
      frames: z.number().int().min(1).max(FRAMES_MAX),
      period: duration.optional(),
      kms: oneOf("kms", KMS_APIS).optional(),
      ready: signalName.optional(),
    })
    .strict(),
  describe: (a) =>
    `compositor ${a.compositor} on ${a.devices.join(", ")}, ${a.frames} frames of ` +
    formatDurationUs(durationUs(a.period, FRAME_US)) + (a.kms === undefined ? "" : `, ${a.kms} KMS`),
  signals: (a) => (a.ready === undefined ? [] : [a.ready]),
  *run(ctx, a): Call<Outcome> {
    const ready = a.ready;
    const r = yield* COMPOSITORS[a.compositor](ctx.sys, {
      devices: a.devices,
      frames: a.frames,
      periodUs: durationUs(a.period, FRAME_US),
      ...(a.kms === undefined ? {} : { kms: a.kms }),
      ...(ready === undefined ? {} : { ready: () => ctx.machine.signal(ready) }),
    });
    return okFields({
      cards: r.cards, flips: r.flips, flips_after_drop: r.flipsAfterDrop, dropped: r.dropped,
      errors: r.errors, log: r.log,
    });
  },
});
