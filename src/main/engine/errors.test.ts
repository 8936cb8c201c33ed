import { describe, expect, it } from 'vitest';
import { errorKindOf } from './errors.ts';

const sqliteError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe('the kind of a step error', () => {
  // Found by attacking the data folder: a damaged page was retried, with backoff, as if it could pass.
  it('takes a damaged database for one no retry mends, wrapped or not', () => {
    expect(errorKindOf(sqliteError('SQLITE_CORRUPT', 'database disk image is malformed'))).toBe('fatal');
    const wrapped = new Error('query failed', {
      cause: sqliteError('SQLITE_NOTADB', 'file is not a database'),
    });
    expect(errorKindOf(wrapped)).toBe('fatal');
    expect(errorKindOf(sqliteError('SQLITE_BUSY', 'database is locked'))).toBe('retryable');
  });
});
