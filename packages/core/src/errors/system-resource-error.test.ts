import { describe, expect, it } from 'vitest';
import { ErrorCode } from './error-codes.js';
import { UnavailableError } from './errors.js';
import { diskFullError, systemResourceError } from './system-resource-error.js';

const errno = (code: string) => Object.assign(new Error(`spawn git ${code}`), { code });

describe('system resource errors', () => {
  it.each([
    ['EMFILE', ErrorCode.resourcesExhausted, 'ulimit -n'],
    ['ENFILE', ErrorCode.resourcesExhausted, 'fs.file-max'],
    ['EAGAIN', ErrorCode.resourcesExhausted, 'ulimit -u'],
    ['ENOMEM', ErrorCode.resourcesExhausted, 'more memory'],
    ['ENOSPC', ErrorCode.storeUnavailable, 'free disk space in the data dir'],
    ['EDQUOT', ErrorCode.storeUnavailable, 'quota'],
    ['EROFS', ErrorCode.storeUnavailable, 'read-only file system'],
  ])('%s becomes an UnavailableError %s naming the cause and the fix', (code, errorCode, fix) => {
    const error = systemResourceError(errno(code), 'git could not be started');
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error?.code).toBe(errorCode);
    expect(error?.message).toContain(code);
    expect(error?.message).toContain(fix);
    expect(error?.message.startsWith('git could not be started: ')).toBe(true);
  });

  it('leaves other errors alone', () => {
    expect(systemResourceError(errno('ENOENT'), 'x')).toBeUndefined();
    expect(systemResourceError(new Error('plain'), 'x')).toBeUndefined();
    expect(systemResourceError(undefined, 'x')).toBeUndefined();
  });

  it('reads git stderr', () => {
    expect(diskFullError('fatal: write error: No space left on device\n', 'git commit')?.message).toBe(
      'git commit: no space left on device (ENOSPC); free disk space in the data dir (or raise its quota, or make it writable), then retry',
    );
    expect(diskFullError("fatal: sha1 file 'x/index.lock' write error. Out of diskspace", 'x')?.message).toContain('ENOSPC');
    expect(diskFullError('error: unable to create temporary file: Disk quota exceeded', 'x')?.code).toBe(ErrorCode.storeUnavailable);
    expect(diskFullError('fatal: Unable to create index.lock: Read-only file system', 'x')?.message).toContain('read-only');
    expect(diskFullError('fatal: not a git repository', 'x')).toBeUndefined();
  });
});
