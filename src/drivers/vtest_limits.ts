/**
 * The longest simulated work the vtest driver accepts, for each of its ioctls that takes a
 * duration (VTEST_HOLD_ENTER, VTEST_JOB, VTEST_SUBMIT): an hour; longer ones fail with EINVAL.
 */
export const VTEST_DURATION_NS_MAX = 3_600_000_000_000n;
