/**
 * An offer that never reaches its worker (the worker heartbeats here, but this node cannot reach it:
 * a one-way partition) is no attempt of the task and no failure of the worker. Found by partitioning a
 * farm: three undelivered offers in half a second spent a task's attempts and blocked a healthy worker.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { migrateDatabase } from '../../db/open.ts';
import { farmKeyFromText, generateFarmKey } from '../net/index.ts';
import { makeClient } from '../net/net.fixture.ts';
import { manualClock, taskIdOf, taskInput, workerInfo } from '../queue/farm-queue.fixture.ts';
import { Coordinator } from './coordinator.ts';

let dir: string;
let sqlite: Database.Database;
let coordinator: Coordinator;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vfo-dispatch-'));
  sqlite = new Database(join(dir, 'vfo.db'));
  migrateDatabase(sqlite);
});
afterEach(async () => {
  coordinator?.stop();
  sqlite.close();
  await rm(dir, { recursive: true, force: true });
});

it('puts a task whose offer did not reach its worker back without an attempt or a strike', async () => {
  coordinator = new Coordinator({
    sqlite,
    client: makeClient(farmKeyFromText(generateFarmKey())),
    self: () => ({ id: 'coordinator-1', url: 'http://127.0.0.1:1' }),
    clock: manualClock(1_000_000_000),
  });
  const { queue } = coordinator;
  // Nothing listens on port 1 of this machine: every offer is refused at connect.
  queue.registerWorker(workerInfo('w1', { url: 'http://127.0.0.1:1', maxConcurrency: 1 }));
  queue.submit(taskInput('a'));
  for (let round = 0; round < 4; round++) {
    await coordinator.tick();
    expect(queue.getTask(taskIdOf('a'))).toMatchObject({
      status: 'queued',
      attempts: 0,
      failuresByWorker: {},
    });
    // Offered nothing more until its next heartbeat says what it has free.
    expect(queue.worker('w1')?.freeSlots).toBe(0);
    queue.heartbeat('w1', { freeSlots: 1, leases: [] });
  }
});
