/**
 * A pass-through stream that counts and hashes what flows through it. It fails (instead of
 * ending) when the data goes past `maxBytes` or, at the end, does not match the declared size or
 * sha256: whoever consumes it with pipeline() sees an error, never a clean end, for a bad body.
 */
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { BodyMismatchError, BodyTooLargeError } from './errors.ts';

export interface BodyGuardOptions {
  maxBytes: number;
  expectSha256?: string;
  expectSize?: number;
}

export class BodyGuard extends Transform {
  private readonly hash = createHash('sha256');
  private readonly options: BodyGuardOptions;
  private bytes = 0;
  private digest: string | null = null;

  constructor(options: BodyGuardOptions) {
    super();
    this.options = options;
  }

  get size(): number {
    return this.bytes;
  }

  /** The sha256 of everything that passed, once the stream has been flushed; else null. */
  get sha256(): string | null {
    return this.digest;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.options.maxBytes) {
      callback(new BodyTooLargeError(this.options.maxBytes));
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.digest = this.hash.digest('hex');
    const { expectSha256, expectSize } = this.options;
    if (expectSize !== undefined && this.bytes !== expectSize) {
      callback(new BodyMismatchError(`body is ${this.bytes} bytes, ${expectSize} were declared`));
    } else if (expectSha256 !== undefined && this.digest !== expectSha256) {
      callback(new BodyMismatchError('body does not match its declared sha256'));
    } else {
      callback();
    }
  }
}
