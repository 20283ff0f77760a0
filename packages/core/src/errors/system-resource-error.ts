/**
 * Operating-system failures that say the host is out of something (file descriptors, processes,
 * memory, disk space) rather than that the request is wrong. They become `UnavailableError`s with
 * the cause and the fix, so that the client gets 503 (retry later) instead of 500, and the server
 * goes on serving the requests that need less.
 */
import { ErrorCode } from './error-codes.js';
import { UnavailableError } from './errors.js';

/** `errno` code → what ran out, and how to fix it. */
const EXHAUSTED: Readonly<Record<string, { cause: string; fix: string }>> = {
  EMFILE: {
    cause: 'the server process has no file descriptors left (EMFILE)',
    fix: 'raise its limit (ulimit -n, systemd LimitNOFILE) or reduce the number of open connections',
  },
  ENFILE: {
    cause: "the system's open file table is full (ENFILE)",
    fix: 'raise fs.file-max or reduce the number of open connections and files on the host',
  },
  EAGAIN: {
    cause: 'no new process could be started (EAGAIN: process limit reached)',
    fix: 'raise the process limit (ulimit -u, systemd TasksMax) or reduce the load',
  },
  ENOMEM: {
    cause: 'the host has no memory left to start a process (ENOMEM)',
    fix: 'give the server more memory or reduce the load',
  },
};

/** `errno` code → how the disk refused the write. */
const DISK: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on device (ENOSPC)',
  EDQUOT: 'disk quota exceeded (EDQUOT)',
  EROFS: 'read-only file system (EROFS)',
};

/** The same causes as git prints them on stderr. */
const DISK_MESSAGES: ReadonlyArray<[RegExp, string]> = [
  // git's csum-file writer says "Out of diskspace" instead of strerror.
  [/no space left on device|out of diskspace|ENOSPC/i, DISK.ENOSPC!],
  [/disk quota exceeded|EDQUOT/i, DISK.EDQUOT!],
  [/read-only file system|EROFS/i, DISK.EROFS!],
];

const DISK_FIX = 'free disk space in the data dir (or raise its quota, or make it writable), then retry';

/**
 * An `UnavailableError` for an operating-system error that means the host ran out of descriptors,
 * processes, memory or disk (`doing` says what failed, e.g. "git could not be started"); undefined
 * for any other error.
 */
export function systemResourceError(error: unknown, doing: string): UnavailableError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return undefined;
  const exhausted = EXHAUSTED[code];
  if (exhausted) return new UnavailableError(ErrorCode.resourcesExhausted, `${doing}: ${exhausted.cause}; ${exhausted.fix}`);
  const disk = DISK[code];
  if (disk) return diskFull(doing, disk);
  return undefined;
}

/** An `UnavailableError` when `output` (e.g. git's stderr) reports a full, over-quota or read-only disk; else undefined. */
export function diskFullError(output: string, doing: string): UnavailableError | undefined {
  const found = DISK_MESSAGES.find(([pattern]) => pattern.test(output));
  return found ? diskFull(doing, found[1]) : undefined;
}

/** An `UnavailableError` for a process start that failed without a code: only a full descriptor table does that. */
export function descriptorsExhaustedError(doing: string): UnavailableError {
  const { cause, fix } = EXHAUSTED.EMFILE!;
  return new UnavailableError(ErrorCode.resourcesExhausted, `${doing}: ${cause.replace(' (EMFILE)', ' (EMFILE or ENFILE)')}; ${fix}`);
}

function diskFull(doing: string, cause: string): UnavailableError {
  return new UnavailableError(ErrorCode.storeUnavailable, `${doing}: ${cause}; ${DISK_FIX}`);
}
