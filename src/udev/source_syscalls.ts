/**
 * The uevent source of a program of the model: a NETLINK_KOBJECT_UEVENT socket opened through
 * `Syscalls`. What recv() returns is turned into the kernel's datagram bytes and parsed back,
 * so the model's events take the same parser as a real socket's. ENOBUFS (the socket's queue
 * overran and the kernel dropped events) becomes a rescan request.
 */
import { encodeKernelUevent, type Call, type Fd, type Syscalls } from "../uapi/mod.js";
import { parseKernelDatagram } from "./kernel_datagram.js";
import type { SourceItem, UeventSource } from "./source.js";

/** recv() timeouts of a wait "for ever", so each call stays a bounded syscall. */
const FOREVER_SLICE_MS = 60_000;

export class SyscallsUeventSource implements UeventSource {
  readonly name = "uevent socket (NETLINK_KOBJECT_UEVENT group 1)";
  readonly seesEveryEvent = true;
  private fd: Fd | null = null;
  private failure: string | null = null;

  constructor(private readonly sys: Syscalls) {}

  *open(): Call<void> {
    if (this.fd !== null || this.failure !== null) return;
    const r = yield* this.sys.ueventSocket();
    if (r.ok) this.fd = r.value;
    else this.failure = `Cannot open a uevent socket: ${r.errno}`;
  }

  *next(timeoutMs: number): Call<SourceItem> {
    yield* this.open();
    if (this.fd === null) return { kind: "end", detail: this.failure ?? "the socket is closed" };
    for (;;) {
      const slice = timeoutMs < 0 ? FOREVER_SLICE_MS : timeoutMs;
      const r = yield* this.sys.recvUevent(this.fd, slice);
      if (r.ok) {
        const bytes = encodeKernelUevent(r.value);
        return { kind: "event", received: { origin: "kernel", event: parseKernelDatagram(bytes, this.name), where: { byte: 0 } } };
      }
      if (r.errno === "ENOBUFS") return { kind: "rescan", reason: "overrun", detail: "recv() failed with ENOBUFS: the kernel dropped events" };
      // A signal ended the wait (EINTR): the caller looks at what its handler did.
      if (r.errno === "EINTR") return { kind: "timeout" };
      if (r.errno !== "EAGAIN") return { kind: "end", detail: `recv() failed with ${r.errno}` };
      if (timeoutMs >= 0) return { kind: "timeout" };
    }
  }

  *close(): Call<void> {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    yield* this.sys.close(fd);
  }
}
