/**
 * Userspace programs. They import only the uapi and reach the kernel through Syscalls.
 */
export { nodePath, pciDrmNodes, type DrmNodeKind } from "./drm_nodes.js";
export { healthcheck, LOAD_DRIVERS, runSubtest, SUBTESTS, type IgtTarget, type SubtestName, type SubtestResult } from "./igt_core_hotunplug.js";
export { igtSpinEnd, igtSpinNew, igtSpinUnmap, isSpinFailure, type IgtSpin, type IgtSpinFailure } from "./igt_spin.js";
export { COMPOSITORS, naiveCompositor, robustCompositor, type CompositorKind, type CompositorOptions, type CompositorReport } from "./compositor.js";
export type { KmsApi } from "./kms_output.js";
