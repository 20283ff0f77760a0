import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from './error-codes.js';

describe('error code catalogue', () => {
  it('lists exactly the codes of ErrorCode in docs/errors.md', () => {
    const doc = readFileSync(new URL('../../../../docs/errors.md', import.meta.url), 'utf8');
    const documented = [...doc.matchAll(/^\| `(ERR_[A-Z_]+)` +\|/gm)].map((m) => m[1]);
    expect([...documented].sort()).toEqual(Object.values(ErrorCode).sort());
  });
});
