/**
 * Hashes a file as it is sent and holds its last chunk back until the hash is known: content that
 * does not match the name it is served under never reaches the client whole. The stream fails
 * instead of ending, so the transfer is cut short of its declared length.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

export interface SentContentExpectation {
  sha256: string;
  /** Called (once, before the transfer is cut) with what the content hashed to instead. */
  onMismatch(actualSha256: string): void;
}

export class SentContentMismatch extends Error {
  override name = 'SentContentMismatch';
}

export class SentContentCheck extends Transform {
  private readonly hash = createHash('sha256');
  private readonly expected: SentContentExpectation;
  private held: Buffer | null = null;

  constructor(expected: SentContentExpectation) {
    super();
    this.expected = expected;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    const previous = this.held;
    this.held = chunk;
    callback(null, previous ?? undefined);
  }

  override _flush(callback: TransformCallback): void {
    const actual = this.hash.digest('hex');
    if (actual !== this.expected.sha256) {
      this.expected.onMismatch(actual);
      callback(new SentContentMismatch(`the content sent does not match sha256 ${this.expected.sha256}`));
      return;
    }
    callback(null, this.held ?? undefined);
  }
}

/** An empty file sends no chunk through the check: whether empty is what was expected, told the same way. */
export function emptyContentMatches(expected: SentContentExpectation): boolean {
  const actual = createHash('sha256').digest('hex');
  if (actual === expected.sha256) return true;
  expected.onMismatch(actual);
  return false;
}
