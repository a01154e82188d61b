/**
 * Linux errno names and values (x86-64, include/uapi/asm-generic/errno-base.h and errno.h).
 */
export const ERRNO = {
  EPERM: 1, ENOENT: 2, ESRCH: 3, EINTR: 4, EIO: 5, ENXIO: 6, E2BIG: 7, ENOEXEC: 8, EBADF: 9,
  ECHILD: 10, EAGAIN: 11, ENOMEM: 12, EACCES: 13, EFAULT: 14, EBUSY: 16, EEXIST: 17,
  EXDEV: 18, ENODEV: 19, ENOTDIR: 20, EISDIR: 21, EINVAL: 22, ENFILE: 23, EMFILE: 24,
  ENOTTY: 25, EFBIG: 27, ENOSPC: 28, ESPIPE: 29, EROFS: 30, EPIPE: 32, ERANGE: 34,
  EDEADLK: 35, ENOSYS: 38, ENODATA: 61, ETIME: 62, EOVERFLOW: 75, EOPNOTSUPP: 95,
  ENOTSOCK: 88, ENOBUFS: 105, ETIMEDOUT: 110, ECANCELED: 125, EHWPOISON: 133,
} as const;

export type ErrnoName = keyof typeof ERRNO;

export const ERRNO_NAMES: readonly ErrnoName[] = Object.keys(ERRNO) as ErrnoName[];

const byValue = new Map<number, ErrnoName>(ERRNO_NAMES.map((n) => [ERRNO[n], n]));

export function errnoValue(name: ErrnoName): number {
  return ERRNO[name];
}

export function errnoName(value: number): ErrnoName | undefined {
  return byValue.get(Math.abs(value));
}

export function isErrnoName(name: string): name is ErrnoName {
  return Object.hasOwn(ERRNO, name);
}

/** What a system call returns: a value, or an errno (userspace sees -1 and errno). */
export type SysResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errno: ErrnoName };

export function ok<T>(value: T): SysResult<T> {
  return { ok: true, value };
}

export function fail<T = never>(errno: ErrnoName): SysResult<T> {
  return { ok: false, errno };
}
