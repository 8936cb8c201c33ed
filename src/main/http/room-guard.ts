/**
 * Keeping a body from filling the disk it lands on: `checkRoom` before its first byte is read
 * (receiveToFile), then a pass-through stream that reads the free space under `dir` again (statfs)
 * every ROOM_CHECK_BYTES and fails the body with DiskFullError once less than `keepFreeBytes` is
 * left. Many uploads at once each overshoot the floor by at most one interval.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { checkRoom } from '../util/disk-room.ts';

export const ROOM_CHECK_BYTES = 32 * 1024 * 1024;

export class RoomGuard extends Transform {
  private readonly dir: string;
  private readonly keepFreeBytes: number;
  private sinceCheck = 0;

  constructor(dir: string, keepFreeBytes: number) {
    super();
    this.dir = dir;
    this.keepFreeBytes = keepFreeBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.sinceCheck += chunk.length;
    if (this.sinceCheck < ROOM_CHECK_BYTES) {
      callback(null, chunk);
      return;
    }
    this.sinceCheck = 0;
    checkRoom(this.dir, this.keepFreeBytes).then(
      () => callback(null, chunk),
      (error: unknown) => callback(error as Error),
    );
  }
}
