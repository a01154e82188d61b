/**
 * The atomic modesetting ioctl: the request's flags, then its objects and properties read
 * through the caller's four arrays (objs_ptr, count_props_ptr, props_ptr, prop_values_ptr;
 * shorter than their counts say is EFAULT, as a read past the caller's memory is), each
 * property set on a copy of its object's state, an event per CRTC when asked, the checks,
 * and the commit: none for TEST_ONLY, blocking, or non-blocking (NONBLOCK). A CRTC's
 * OUT_FENCE_PTR hands out a sync_file fd of the commit's fence (kms_out_fence.ts).
 *
 * After unplug (uapi-doc profile only; mainline's gate answers ENODEV first), the request is
 * read as before and succeeds without changing anything, its events sent at once (D3, R42).
 *
 * @see drm_mode_atomic_ioctl(), drm_atomic_set_property() in drivers/gpu/drm/drm_atomic_uapi.c
 */
import { lookupStep, type StepYield, type Task } from "../kernel/mod.js";
import {
  DRM_EVENT_FLIP_COMPLETE,
  DRM_MODE_ATOMIC_ALLOW_MODESET,
  DRM_MODE_ATOMIC_FLAGS,
  DRM_MODE_ATOMIC_NONBLOCK,
  DRM_MODE_ATOMIC_TEST_ONLY,
  DRM_MODE_PAGE_FLIP_ASYNC,
  DRM_MODE_PAGE_FLIP_EVENT,
  fail,
  ok,
  type DRM_IOCTL_MODE_ATOMIC,
  type ErrnoName,
  type IoctlIn,
  type IoctlOutOf,
  type SysResult,
} from "../uapi/mod.js";
import { drmDevIsUnplugged } from "./device.js";
import { DRIVER_ATOMIC, drmCoreCheckFeature } from "./drm_driver.js";
import type { DrmFile } from "./file.js";
import { modeConfigOf, type ModeConfig } from "./kms.js";
import { drmLeaseHeld, leaseReads } from "./drm_lease.js";
import { drmAtomicHelperCommit, kmsObjects } from "./kms_commit.js";
import { drmAtomicPutInFences, drmAtomicSetInFence, inFenceObjects } from "./kms_in_fence.js";
import { drmFramebufferLookup } from "./kms_fb.js";
import { attachedProperties, planeField, propObjectById, type PropObject } from "./kms_property.js";
import { addAffectedCrtcs, AtomicState, crtcById, drmAtomicCheckOnly, newCrtcState, newPlaneState } from "./kms_state.js";
import {
  drmAtomicCompleteOutFences,
  drmAtomicPrepareOutFences,
  drmAtomicSetOutFencePtr,
  outFenceObjects,
  type OutFence,
} from "./kms_out_fence.js";
import { kmsFakeCommitEvents } from "./kms_unplug.js";

type AtomicArgs = IoctlIn<typeof DRM_IOCTL_MODE_ATOMIC>;

const S32_MIN = -(2n ** 31n);
const S32_MAX = 2n ** 31n - 1n;

/** The flag checks that come before any object is read: the errno, or null. */
function checkFlags(file: DrmFile, arg: AtomicArgs): ErrnoName | null {
  const flags = arg.flags;
  if (!file.atomic) return "EINVAL"; // the client did not set DRM_CLIENT_CAP_ATOMIC
  if ((flags & ~DRM_MODE_ATOMIC_FLAGS) !== 0) return "EINVAL";
  if (arg.reserved !== 0n) return "EINVAL";
  // No modelled device sets mode_config.async_page_flip.
  if ((flags & DRM_MODE_PAGE_FLIP_ASYNC) !== 0) return "EINVAL";
  // A test-only commit cannot ask for an event.
  if ((flags & DRM_MODE_ATOMIC_TEST_ONLY) !== 0 && (flags & DRM_MODE_PAGE_FLIP_EVENT) !== 0) return "EINVAL";
  return null;
}

function setCrtcProperty(mc: ModeConfig, st: AtomicState, o: PropObject & { kind: "crtc" }, name: string, v: bigint): ErrnoName | null {
  const s = newCrtcState(st, o.obj);
  if (name === "ACTIVE" || name === "VRR_ENABLED") {
    if (v > 1n) return "EINVAL";
    st.crtcs.set(o.obj, name === "ACTIVE" ? { ...s, active: v === 1n } : { ...s, vrrEnabled: v === 1n });
    return null;
  }
  if (name === "MODE_ID") {
    if (v !== 0n && mc.blobs.get(Number(v))?.mode == null) return "EINVAL"; // no blob, or no mode
    st.crtcs.set(o.obj, { ...s, modeBlobId: Number(v), enable: v !== 0n });
    return null;
  }
  return null; // OUT_FENCE_PTR writes user memory: drmAtomicSetOutFencePtr(), from readRequest()
}

function setPlaneProperty(file: DrmFile, st: AtomicState, o: PropObject & { kind: "plane" }, name: string, v: bigint): ErrnoName | null {
  const mc = modeConfigOf(st.dev);
  const field = planeField(name);
  if (name === "IN_FENCE_FD") return drmAtomicSetInFence(file, st.inFences, o.obj, v);
  if (field === undefined) return "EINVAL"; // type is immutable
  const signed = name === "CRTC_X" || name === "CRTC_Y";
  const n = signed ? BigInt.asIntN(64, v) : v;
  const max = name.startsWith("SRC_") ? 0xffffffffn : S32_MAX;
  if (n < (signed ? S32_MIN : 0n) || n > max) return "EINVAL";
  if (name === "FB_ID" && v !== 0n && drmFramebufferLookup(st.dev, Number(v)) === null) return "EINVAL";
  if (name === "CRTC_ID") {
    const bad = crtcValueCheck(file, mc, v);
    if (bad !== null) return bad;
  }
  st.planes.set(o.obj, { ...newPlaneState(st, o.obj), [field]: Number(n) });
  return null;
}

/**
 * A CRTC_ID value: no such CRTC fails the property's own check (EINVAL), one the file does
 * not lease fails the lookup (EACCES). @see drm_property_change_valid_get(), drm_crtc_find()
 */
function crtcValueCheck(file: DrmFile, mc: ModeConfig, v: bigint): ErrnoName | null {
  if (v === 0n) return null;
  if (crtcById(mc, Number(v)) === undefined) return "EINVAL";
  return drmLeaseHeld(file, Number(v)) ? null : "EACCES";
}

function setConnectorProperty(file: DrmFile, st: AtomicState, o: PropObject & { kind: "connector" }, name: string, v: bigint): ErrnoName | null {
  if (name === "link-status") return v > 1n ? "EINVAL" : null;
  if (name !== "CRTC_ID") return "EINVAL"; // immutable, or legacy-only (DPMS)
  const bad = crtcValueCheck(file, modeConfigOf(st.dev), v);
  if (bad !== null) return bad;
  st.connectors.set(o.obj, Number(v));
  return null;
}

/** Sets property `propId` of `o` to `value` in the request. @see drm_atomic_set_property() */
function setProperty(file: DrmFile, st: AtomicState, o: PropObject, propId: number, value: bigint): ErrnoName | null {
  const mc = modeConfigOf(st.dev);
  const name = attachedProperties(o).find((n) => mc.properties.get(n) === propId);
  if (name === undefined) return "ENOENT";
  switch (o.kind) {
    case "crtc":
      return setCrtcProperty(mc, st, o, name, value);
    case "plane":
      return setPlaneProperty(file, st, o, name, value);
    case "connector":
      return setConnectorProperty(file, st, o, name, value);
  }
}

/**
 * The request read from the caller's arrays into `st`: the errno, or null. OUT_FENCE_PTR
 * writes through its pointer as it is set, and `resume` goes on after each write.
 */
function* readRequest(file: DrmFile, st: AtomicState, arg: AtomicArgs, resume: StepYield): Task<ErrnoName | null> {
  const mc = modeConfigOf(st.dev);
  const outFencePtr = mc.properties.get("OUT_FENCE_PTR");
  const n = arg.count_objs;
  if (arg.objs_ptr.length < n || arg.count_props_ptr.length < n) return "EFAULT";
  let at = 0;
  for (let i = 0; i < n; i++) {
    const o = propObjectById(mc, arg.objs_ptr[i]!);
    if (o === null || !drmLeaseHeld(file, o.obj.id)) return "ENOENT"; // none, or not leased
    const count = arg.count_props_ptr[i]!;
    if (arg.props_ptr.length < at + count || arg.prop_values_ptr.length < at + count) return "EFAULT";
    for (let j = 0; j < count; j++, at++) {
      const prop = arg.props_ptr[at]!;
      const value = arg.prop_values_ptr[at]!;
      const bad = o.kind === "crtc" && prop === outFencePtr
        ? yield* drmAtomicSetOutFencePtr(st, o.obj, value, resume)
        : setProperty(file, st, o, prop, value);
      if (bad !== null) return bad;
    }
  }
  return null;
}

/** @see drm_mode_atomic_ioctl() */
export function* drmModeAtomicIoctl(file: DrmFile, arg: AtomicArgs): Task<SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_ATOMIC>>> {
  const dev = file.dev;
  if (!drmCoreCheckFeature(dev, DRIVER_ATOMIC)) return fail("EOPNOTSUPP");
  const refused = checkFlags(file, arg);
  if (refused !== null) return fail(refused);
  const outFences: OutFence[] = [];
  const resume = lookupStep("drm_mode_atomic_ioctl", () => ({
    reads: leaseReads(file).reads,
    writes: [...kmsObjects(dev), ...inFenceObjects(file, arg), ...outFenceObjects(outFences)],
  }));
  yield resume;
  const st = new AtomicState(dev, (arg.flags & DRM_MODE_ATOMIC_ALLOW_MODESET) !== 0);
  const r = yield* atomicCommitRequest(file, st, arg, outFences, resume);
  if (st.inFences.size > 0) yield* drmAtomicPutInFences(st.inFences); // not taken by a commit
  return r;
}

/**
 * The request read, its events and out-fences made (none for TEST_ONLY), checked and
 * committed (or faked after unplug), and the out-fences handed out or let go of.
 */
function* atomicCommitRequest(
  file: DrmFile,
  st: AtomicState,
  arg: AtomicArgs,
  outFences: OutFence[],
  resume: StepYield,
): Task<SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_ATOMIC>>> {
  const flags = arg.flags;
  const bad = yield* readRequest(file, st, arg, resume);
  if (bad !== null) return fail(bad);
  addAffectedCrtcs(st);
  if ((flags & DRM_MODE_PAGE_FLIP_EVENT) !== 0) {
    for (const crtc of st.crtcs.keys()) {
      st.events.set(crtc, { file, type: DRM_EVENT_FLIP_COMPLETE, userData: arg.user_data, crtcId: crtc.id });
    }
  }
  if ((flags & DRM_MODE_ATOMIC_TEST_ONLY) === 0) outFences.push(...drmAtomicPrepareOutFences(st, arg.user_data));
  const r = yield* commitOrFake(st, flags);
  yield* drmAtomicCompleteOutFences(st.dev, outFences, r.ok, resume);
  return r;
}

/** The checks and the commit; after unplug (uapi-doc), the events sent at once instead. */
function* commitOrFake(st: AtomicState, flags: number): Task<SysResult<IoctlOutOf<typeof DRM_IOCTL_MODE_ATOMIC>>> {
  if (drmDevIsUnplugged(st.dev)) {
    kmsFakeCommitEvents(st.dev, st.events);
    return ok({});
  }
  const invalid = drmAtomicCheckOnly(st);
  if (invalid !== null) return fail(invalid);
  if ((flags & DRM_MODE_ATOMIC_TEST_ONLY) !== 0) return ok({});
  const r = yield* drmAtomicHelperCommit(st, (flags & DRM_MODE_ATOMIC_NONBLOCK) !== 0);
  return r.ok ? ok({}) : r;
}
