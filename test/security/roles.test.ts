/**
 * Farm trust 2 — identity and roles. Every node speaks as its own key, so a machine holding the farm
 * key can act only as itself: it cannot withdraw or fail another origin's task, report on a lease it
 * does not hold, hand out leases, or submit and announce in another node's name. Each refusal is a 403
 * with the reason. An operator's cancel reaches the task's origin at once.
 *
 * Two real nodes on loopback (their workers paused, so the test decides who encodes), and the test as
 * a third member: an admitted identity of its own that registers as a worker and takes the lease.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFarmServer,
  ephemeralIdentity,
  type FarmClient,
  FarmHttpError,
  type FarmServer,
  FarmTrust,
  farmKeyFromText,
  type Peer,
} from '../../src/main/farm/net/index.ts';
import { makeClient } from '../../src/main/farm/net/net.fixture.ts';
import { leaseOfferSchema } from '../../src/main/farm/node/schemas.ts';
import {
  type FarmKeyFile,
  jobOf,
  makeFarmKey,
  type NodeProcess,
  peerOf,
  readDb,
  startNodes,
  statusOf,
  stopFarm,
  submitScript,
  until,
  waitForJobs,
} from '../farm/farm-support.ts';
import { tempDir } from '../support/vfo.ts';

let dir: { path: string; remove(): Promise<void> };
let key: FarmKeyFile;
let lima: NodeProcess;
let mike: NodeProcess;
let coordinator: Peer;
/** Another key holder: admitted, but neither origin, coordinator nor lease holder of anything. */
let intruder: FarmClient;
let intruderId: string;
/** The test's own worker: a farm server speaking as key.identity, which takes the lease. */
let worker: FarmServer;
const offers: { leaseId: string; taskId: string }[] = [];
let beating: NodeJS.Timeout | undefined;

async function refusal(promise: Promise<unknown>): Promise<FarmHttpError> {
  const error = await promise.then(
    () => new Error('the call was accepted'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(FarmHttpError);
  return error as FarmHttpError;
}

function tasksAt(node: NodeProcess) {
  return readDb<{ id: string; status: string; origin_node_id: string }>(
    node.dataDir,
    'SELECT id, status, origin_node_id FROM farm_tasks',
  );
}

beforeAll(async () => {
  dir = await tempDir('vfo-roles-');
  key = await makeFarmKey(dir.path);
  const farmKey = farmKeyFromText(key.text);
  const intruderIdentity = ephemeralIdentity(farmKey);
  intruderId = intruderIdentity.id;
  intruder = makeClient(farmKey, { identity: intruderIdentity });
  [lima, mike] = (await startNodes(dir.path, key, ['lima', 'mike'])) as [NodeProcess, NodeProcess];
  const status = await until(
    async () => {
      const s = await statusOf(key, lima);
      return s.coordinator && s.nodes.filter((n) => n.status === 'online').length === 2 ? s : undefined;
    },
    20_000,
    'lima and mike to agree on a coordinator',
  );
  const chosen = status.coordinator as { id: string; url: string };
  coordinator = { id: chosen.id, url: chosen.url };
  for (const node of [lima, mike]) await key.client.json(peerOf(node), 'POST', '/farm/v1/worker/pause');

  worker = await createFarmServer({
    identity: key.identity,
    trust: new FarmTrust(farmKey),
    host: '127.0.0.1',
    port: 0,
    routes: (app) => {
      app.post(
        '/farm/v1/leases',
        { config: { auth: 'farm' }, schema: { body: leaseOfferSchema } },
        (request) => {
          offers.push({ leaseId: request.body.leaseId, taskId: request.body.taskId });
          return { accepted: true };
        },
      );
    },
  });
  const { url } = await worker.start();
  await key.client.json(coordinator, 'POST', '/farm/v1/workers', {
    id: key.identity.id,
    url,
    encoders: ['libx264'],
    maxConcurrency: 1,
    freeSlots: 1,
  });
  // Renew what it holds, like a real worker, so its lease stays its own while the test runs.
  beating = setInterval(() => {
    const leases = offers.map(({ leaseId }) => ({ leaseId }));
    void key.client
      .json(coordinator, 'POST', '/farm/v1/heartbeat', { freeSlots: offers.length > 0 ? 0 : 1, leases })
      .catch(() => undefined);
  }, 500);
});

afterAll(async () => {
  clearInterval(beating);
  await worker?.close();
  intruder?.close();
  await stopFarm(dir, key);
});

describe('a key holder acts only as itself', () => {
  let jobId: string;
  let taskId: string;
  let leaseId: string;

  it('the task of a job at lima is leased to the one worker with a free slot (the test)', async () => {
    const script = '# Roles\n\nA short video whose task the test holds.\n';
    jobId = await submitScript(key, lima, 'roles.md', script);
    const offer = await until(() => offers[0], 30_000, 'the lease offer to reach the test worker');
    ({ leaseId, taskId } = offer);
    const node = coordinator.id === lima.id ? lima : mike;
    expect(tasksAt(node).find((t) => t.id === taskId)).toMatchObject({
      status: 'leased',
      origin_node_id: lima.id,
    });
  });

  it('refuses, with 403 and the reason, what only the origin, the lease holder or the coordinator may do', async () => {
    const plan = JSON.parse(
      readDb<{ plan: string }>(lima.dataDir, 'SELECT plan FROM farm_origin_tasks')[0]?.plan ?? '{}',
    ) as unknown;
    const cases: [string, () => Promise<unknown>, RegExp][] = [
      [
        'withdraw another origin’s task',
        () => intruder.json(coordinator, 'POST', `/farm/v1/tasks/${taskId}/withdraw`),
        /only the task’s origin may withdraw it/,
      ],
      [
        'fail a lease it does not hold',
        () =>
          intruder.json(coordinator, 'POST', `/farm/v1/leases/${leaseId}/fail`, {
            taskId,
            reason: 'sabotage',
            retryable: false,
          }),
        /only the lease holder reports its failure/,
      ],
      [
        'complete a lease for a task it is not the origin of',
        () =>
          intruder.json(coordinator, 'POST', `/farm/v1/leases/${leaseId}/complete`, {
            workerId: key.identity.id,
          }),
        /only the task’s origin completes its lease/,
      ],
      [
        'tell the origin its task failed',
        () => intruder.json(peerOf(lima), 'POST', `/farm/v1/tasks/${taskId}/failed`, { reason: 'sabotage' }),
        /only the coordinator of the current term/,
      ],
      [
        'offer a lease to a worker',
        () =>
          intruder.json(peerOf(mike), 'POST', '/farm/v1/leases', {
            leaseId: 'e'.repeat(32),
            taskId,
            jobId: 'x',
            originUrl: lima.url,
            originNodeId: lima.id,
            coordinatorUrl: coordinator.url,
            coordinatorId: coordinator.id,
            plan,
          }),
        /only the coordinator of the current term/,
      ],
      [
        'submit a task in lima’s name',
        () =>
          intruder.json(coordinator, 'POST', '/farm/v1/tasks', {
            id: 'f'.repeat(64),
            originNodeId: lima.id,
            originUrl: lima.url,
            jobId: 'forged',
            priority: 0,
            plan,
            requirements: { encoders: ['libx264'] },
          }),
        /may only submit tasks for itself/,
      ],
      [
        // Found by attacking the farm: the task kept lima as its origin but took the intruder's
        // address, so lima never heard its task failed (and a failed one was queued again).
        'submit another origin’s task id as its own',
        () =>
          intruder.json(coordinator, 'POST', '/farm/v1/tasks', {
            id: taskId,
            originNodeId: intruderId,
            originUrl: 'http://127.0.0.1:9',
            jobId: 'hijack',
            priority: 0,
            plan,
            requirements: { encoders: ['libx264'] },
          }),
        /the task is another origin’s/,
      ],
      [
        'register as another worker',
        () =>
          intruder.json(coordinator, 'POST', '/farm/v1/workers', {
            id: mike.id,
            url: 'http://127.0.0.1:9',
            encoders: ['libx264'],
            maxConcurrency: 4,
          }),
        /may only register as a worker for itself/,
      ],
      [
        'announce another node’s leases',
        () =>
          intruder.json(coordinator, 'POST', '/farm/v1/announce', {
            nodeId: lima.id,
            leases: [],
          }),
        /may only announce for itself/,
      ],
    ];
    for (const [what, call, reason] of cases) {
      const error = await refusal(call());
      expect(error.status, what).toBe(403);
      expect(error.code, what).toBe('forbidden');
      expect(error.message, what).toMatch(reason);
    }
    // Registered as a worker (as itself), a heartbeat listing someone else's lease renews nothing: it
    // is told to stop that lease instead.
    await intruder.json(coordinator, 'POST', '/farm/v1/workers', {
      id: intruderId,
      url: 'http://127.0.0.1:9',
      encoders: ['libx264'],
      maxConcurrency: 1,
      freeSlots: 0,
    });
    const heartbeat = await intruder.json<{ cancel: string[] }>(coordinator, 'POST', '/farm/v1/heartbeat', {
      freeSlots: 0,
      leases: [{ leaseId, progress: 0.9 }],
    });
    expect(heartbeat.cancel).toContain(leaseId);

    const node = coordinator.id === lima.id ? lima : mike;
    expect(tasksAt(node).find((t) => t.id === taskId)?.status).toBe('leased');
    expect((await jobOf(key, lima, jobId)).status).toBe('running');
  });

  // Found by attacking the farm: one claim from a key holder that was no peer at all deposed the
  // coordinator, and at term 999,999,999 every node then claimed a term its advert could not carry and
  // exited.
  it('a claim from a key holder that is no peer is refused, and the farm keeps its coordinator', async () => {
    for (const node of [lima, mike]) {
      const reply = await intruder.json<{ accepted: boolean }>(peerOf(node), 'POST', '/farm/v1/coordinator', {
        id: intruderId,
        term: 999_999_999,
      });
      expect(reply.accepted).toBe(false);
    }
    await new Promise((resolve) => setTimeout(resolve, 5000));
    for (const node of [lima, mike]) {
      expect(node.exited()).toBe(false);
      expect((await statusOf(key, node)).coordinator).toMatchObject({ id: coordinator.id });
    }
  }, 30_000);

  it('the lease holder may report its own failure, and the task then finishes on a real node', async () => {
    const reply = await key.client.json<{ result: string }>(
      coordinator,
      'POST',
      `/farm/v1/leases/${leaseId}/fail`,
      {
        taskId,
        reason: 'the test worker gives the task back',
        retryable: true,
      },
    );
    expect(reply.result).toBe('requeued');
    offers.splice(0);
    clearInterval(beating);
    for (const node of [lima, mike]) await key.client.json(peerOf(node), 'POST', '/farm/v1/worker/resume');
    const [job] = await waitForJobs(key, lima, [jobId], 60_000);
    expect(job?.status).toBe('done');
  });
});

describe('an operator cancels a task', () => {
  it('the origin learns it at once: its job fails with who cancelled it', async () => {
    for (const node of [lima, mike]) await key.client.json(peerOf(node), 'POST', '/farm/v1/worker/pause');
    const jobId = await submitScript(key, lima, 'cancel.md', '# Cancel\n\nA video an operator cancels.\n');
    const node = coordinator.id === lima.id ? lima : mike;
    const task = await until(
      () => tasksAt(node).find((t) => t.origin_node_id === lima.id && t.status === 'queued'),
      30_000,
      'the task to be queued',
    );
    const operator = ephemeralIdentity(farmKeyFromText(key.text));
    const client = makeClient(farmKeyFromText(key.text), { identity: operator });
    try {
      const reply = await client.json<{ result: string }>(
        coordinator,
        'POST',
        `/farm/v1/tasks/${task.id}/cancel`,
      );
      expect(reply.result).toBe('withdrawn');
      const cancelledAt = Date.now();
      const job = await until(
        async () => {
          const view = await jobOf(key, lima, jobId);
          return view.status === 'cancelled' ? view : undefined;
        },
        10_000,
        'the origin to cancel the job',
        100,
      );
      // One push from the coordinator, among busy nodes: seconds, not the task's lease (minutes).
      expect(Date.now() - cancelledAt).toBeLessThan(10_000);
      expect(job.error).toContain(`cancelled by ${operator.id}`);
    } finally {
      client.close();
      for (const n of [lima, mike]) await key.client.json(peerOf(n), 'POST', '/farm/v1/worker/resume');
    }
  });
});
