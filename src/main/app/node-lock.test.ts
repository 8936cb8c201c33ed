import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NODE_LOCK_FILE, NodeLockError, takeNodeLock } from './node-lock.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-node-lock-'));
});
afterEach(async () => rm(dir, { recursive: true, force: true }));

const inOrder = <T>(fn: () => T): T => fn();
const me = `${hostname()}:${process.pid}`;

describe('the node lock of a data folder', () => {
  it('is refused while a live process holds it, naming that process', () => {
    const other = `${hostname()}:${process.ppid}`;
    takeNodeLock(dir, inOrder, other);
    expect(() => takeNodeLock(dir, inOrder, me)).toThrow(NodeLockError);
    expect(() => takeNodeLock(dir, inOrder, me)).toThrow(`another node (${other}) already serves`);
    expect(readFileSync(join(dir, NODE_LOCK_FILE), 'utf8').trim()).toBe(other);
  });

  it('is taken over from a process that is gone, and released only by its holder', () => {
    writeFileSync(join(dir, NODE_LOCK_FILE), `${hostname()}:2147483646\n`);
    const lock = takeNodeLock(dir, inOrder, me);
    expect(readFileSync(join(dir, NODE_LOCK_FILE), 'utf8').trim()).toBe(me);
    lock.release();
    expect(existsSync(join(dir, NODE_LOCK_FILE))).toBe(false);
    // A release after another node took the folder leaves that node's lock alone.
    const again = takeNodeLock(dir, inOrder, me);
    writeFileSync(join(dir, NODE_LOCK_FILE), `${hostname()}:${process.ppid}\n`);
    again.release();
    expect(existsSync(join(dir, NODE_LOCK_FILE))).toBe(true);
  });
});
