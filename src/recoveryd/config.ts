/**
 * The daemon's configuration (docs/recoveryd.md): its schema, with every default, so that an
 * empty file is a working dry-run configuration. Durations are seconds; every program the
 * daemon may start is an argv list (never a shell command line), and the event's facts reach
 * it only through its environment.
 */
import { z } from "zod";

/** What the daemon knows how to do for each method of the Device Wedging chapter. */
export const METHODS = ["none", "rebind", "bus-reset", "vendor-specific", "cold-reset"] as const;
export type Method = (typeof METHODS)[number];

const seconds = z.number().finite().nonnegative();
const argv = z.array(z.string().min(1)).min(1);
const env = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string()).default({});

const handler = z.strictObject({
  argv,
  env,
  timeoutSeconds: seconds.default(300),
});

const listen = z.string().regex(/^(off|unix:\/.+|[^:\s]+:\d{1,5}|\[[0-9a-fA-F:]+\]:\d{1,5})$/, {
  message: 'expected "off", "unix:/path" or "host:port"',
});

export const configSchema = z.strictObject({
  sysfs: z.string().startsWith("/").default("/sys"),
  procfs: z.string().startsWith("/").default("/proc"),
  dev: z.string().startsWith("/").default("/dev"),
  journal: z.string().startsWith("/").default("/var/lib/vdrm-recoveryd/journal.jsonl"),
  telemetryDir: z.string().startsWith("/").default("/var/lib/vdrm-recoveryd/telemetry"),
  /** A command printing the kernel log, or "kmsg": read /dev/kmsg (under the `dev` root) directly. */
  kernelLog: z.union([z.literal("kmsg"), argv]).default(["journalctl", "--dmesg", "--boot", "--no-pager", "--output=short-monotonic"]),
  listen: listen.default("127.0.0.1:9464"),
  source: z.strictObject({
    udevadm: z.string().min(1).default("udevadm"),
    restartsMax: z.number().int().nonnegative().default(5),
    restartDelaySeconds: seconds.default(1),
  }).prefault({}),
  methods: z.strictObject({
    enabled: z.array(z.enum(METHODS)).default([...METHODS]),
    busReset: z.enum(["reset", "remove-rescan"]).default("reset"),
    settleSeconds: seconds.default(1),
  }).prefault({}),
  unknown: z.enum(["alert", "telemetry", "rebind", "bus-reset", "reboot"]).default("alert"),
  vendor: z.record(z.string().min(1), handler).default({}),
  consumers: z.strictObject({
    policy: z.enum(["refuse", "wait", "notify", "stop-units"]).default("refuse"),
    timeoutSeconds: seconds.default(30),
    onTimeout: z.enum(["refuse", "proceed"]).default("refuse"),
    hook: argv.optional(),
    units: z.array(z.string().regex(/^[\w@:.\\-]+$/)).default([]),
    ignore: z.array(z.string().min(1)).default([]),
  }).prefault({}),
  ladder: z.strictObject({
    attemptsMax: z.number().int().positive().default(3),
    windowSeconds: seconds.default(3600),
    backoffSeconds: seconds.default(10),
    backoffMaxSeconds: seconds.default(600),
    graceSeconds: seconds.default(0),
    alert: argv.optional(),
  }).prefault({}),
  offenders: z.strictObject({
    threshold: z.number().int().positive().default(3),
    hook: argv.optional(),
  }).prefault({}),
  verify: z.strictObject({
    timeoutSeconds: seconds.default(30),
    probe: argv.optional(),
  }).prefault({}),
  reboot: z.strictObject({
    allowed: z.boolean().default(false),
    command: argv.default(["systemctl", "reboot"]),
    minIntervalSeconds: seconds.default(3600),
  }).prefault({}),
});

export type Config = z.infer<typeof configSchema>;
export type Handler = z.infer<typeof handler>;

/** The configuration an empty file gives. */
export function defaultConfig(): Config {
  return configSchema.parse({});
}
