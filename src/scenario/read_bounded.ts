/**
 * Reading a file a user named, with a bound: a device that never ends (`/dev/zero`) or a file
 * of gigabytes is refused after `bytesMax` bytes instead of filling the memory.
 */
import { closeSync, openSync, readSync } from "node:fs";

/**
 * The text (UTF-8) of the file at `path`, or null when it holds more than `bytesMax` bytes.
 * @throws the file system's error when the file cannot be opened or read
 */
export function readTextBounded(path: string, bytesMax: number): string | null {
  const fd = openSync(path, "r");
  try {
    const buf = Buffer.allocUnsafe(bytesMax + 1);
    let n = 0;
    // Bounded: every read that returns adds at least one byte, and n stops at bytesMax + 1.
    for (let got = -1; got !== 0 && n <= bytesMax; n += got) {
      got = readSync(fd, buf, n, buf.length - n, null);
    }
    return n > bytesMax ? null : buf.toString("utf8", 0, n);
  } finally {
    closeSync(fd);
  }
}
