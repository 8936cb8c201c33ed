/**
 * The LAN coordinator under a simulated load, on the wall clock: the real Coordinator (its SQLite queue,
 * its 250 ms scheduler timer) behind a real farm server, an origin submitting tasks with signed calls,
 * and simulated workers — each its own identity and HTTP server — that register, heartbeat every second,
 * take the leases pushed to them and "finish" at once (the origin then completes the lease, as it does
 * after an upload). Used by bench/redis.ts to compare the two queues on the same load.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pLimit from 'p-limit';
import { migrateDatabase } from '../../src/main/db/open.ts';
import { PROTOCOL_VERSION } from '../../src/main/farm/cluster/types.ts';
import {
  createFarmClient,
  createFarmServer,
  ephemeralIdentity,
  type FarmClient,
  type FarmServer,
  FarmTrust,
  farmKeyFromText,
  generateFarmKey,
} from '../../src/main/farm/net/index.ts';
import { Coordinator } from '../../src/main/farm/node/coordinator.ts';
import { coordinatorRoutes } from '../../src/main/farm/node/routes/coordinator-routes.ts';
import { workerRoutes } from '../../src/main/farm/node/routes/worker-routes.ts';
import type { LeaseOffer } from '../../src/main/farm/node/schemas.ts';
import { sha256Hex } from '../../src/main/util/hash.ts';
import type { RenderPlan } from '../../src/shared/render-plan.ts';

export interface LoadSpec {
  workers: number;
  tasks: number;
  plan: RenderPlan;
  /** Submissions in flight at once. */
  concurrency: number;
  /** Makes task ids unique per round. */
  round: string;
}

export interface ThroughputResult {
  seconds: number;
  perSecond: number;
}

export async function lanThroughput(spec: LoadSpec): Promise<ThroughputResult> {
  const dir = await mkdtemp(join(tmpdir(), 'vfo-bench-lan-'));
  const sqlite = new Database(join(dir, 'coordinator.db'));
  migrateDatabase(sqlite);
  const key = farmKeyFromText(generateFarmKey());
  const trust = new FarmTrust(key);
  const clients: FarmClient[] = [];
  const servers: FarmServer[] = [];
  const timers: NodeJS.Timeout[] = [];
  const clientOf = (identity: ReturnType<typeof ephemeralIdentity>) => {
    const client = createFarmClient({ identity, trust, timeoutMs: 30_000 });
    clients.push(client);
    return client;
  };
  const coordinatorId = ephemeralIdentity(key);
  let coordinatorUrl = '';
  const coordinator = new Coordinator({
    sqlite,
    client: clientOf(coordinatorId),
    self: () => ({ id: coordinatorId.id, url: coordinatorUrl }),
  });
  const coordinatorServer = await createFarmServer({
    identity: coordinatorId,
    trust,
    host: '127.0.0.1',
    port: 0,
    maxConnectionsPerClient: 10_000,
    routes: (app) =>
      coordinatorRoutes(app, {
        queue: () => coordinator.queue,
        notifyIfFailed: async () => {},
        protocol: PROTOCOL_VERSION,
        alerts: () => [],
        history: (since) => ({
          coordinatorId: coordinatorId.id,
          from: since,
          to: Date.now(),
          samples: [],
          runs: [],
        }),
      }),
  });
  servers.push(coordinatorServer);
  coordinatorUrl = (await coordinatorServer.start()).url;
  const coordinatorPeer = { id: coordinatorId.id, url: coordinatorUrl };
  const originId = ephemeralIdentity(key);
  const origin = clientOf(originId);

  let completed = 0;
  let allDone: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  for (let i = 0; i < spec.workers; i++) {
    const identity = ephemeralIdentity(key);
    const client = clientOf(identity);
    let lease: string | null = null;
    const finish = async (offer: LeaseOffer) => {
      const reply = await origin.json<{ result: string }>(
        coordinatorPeer,
        'POST',
        `/farm/v1/leases/${offer.leaseId}/complete`,
        { workerId: identity.id },
      );
      lease = null;
      if (reply.result === 'accepted' && ++completed === spec.tasks) allDone();
    };
    const server = await createFarmServer({
      identity,
      trust,
      host: '127.0.0.1',
      port: 0,
      routes: (app) =>
        workerRoutes(app, {
          accept: (offer) => {
            if (lease) return false;
            lease = offer.leaseId;
            setImmediate(() => void finish(offer));
            return true;
          },
          followedCoordinator: () => coordinatorId.id,
          setMode: () => ({ paused: false, draining: false }),
        }),
    });
    servers.push(server);
    const { url } = await server.start();
    await client.json(coordinatorPeer, 'POST', '/farm/v1/workers', {
      id: identity.id,
      url,
      encoders: ['libx264'],
      maxConcurrency: 1,
      freeSlots: 1,
      protocol: PROTOCOL_VERSION,
    });
    timers.push(
      setInterval(() => {
        void client
          .json(coordinatorPeer, 'POST', '/farm/v1/heartbeat', {
            freeSlots: lease ? 0 : 1,
            leases: lease ? [{ leaseId: lease }] : [],
          })
          .catch(() => undefined);
      }, 1000),
    );
  }
  coordinator.start();
  const limit = pLimit(spec.concurrency);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: spec.tasks }, (_, i) =>
      limit(() =>
        origin.json(coordinatorPeer, 'POST', '/farm/v1/tasks', {
          id: sha256Hex(`lan-${spec.round}-${i}`),
          originNodeId: originId.id,
          originUrl: 'http://127.0.0.1:1',
          jobId: `job-${i}`,
          priority: 0,
          plan: spec.plan,
          requirements: { encoders: ['libx264'] },
        }),
      ),
    ),
  );
  await Promise.race([
    finished,
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error('LAN round did not finish')), 180_000).unref(),
    ),
  ]);
  const seconds = (performance.now() - started) / 1000;
  coordinator.stop();
  for (const timer of timers) clearInterval(timer);
  await Promise.all(servers.map((server) => server.close()));
  for (const client of clients) client.close();
  sqlite.close();
  await rm(dir, { recursive: true, force: true });
  return { seconds, perSecond: spec.tasks / seconds };
}
