/**
 * The app's UI and contract served by a node to any browser on the LAN (farm key required), and the
 * same contract for the Electron window: the handlers, the sessions, the routes, and farm status
 * pushed as events when it changes.
 */
import type { FarmStatus, VfoEvent } from '../../shared/contract.ts';
import { CallFailure } from '../api/call-failure.ts';
import { createVfoService, type ServiceDeps, type VfoService } from '../api/service.ts';
import { uiHostRule } from '../api/ui-hosts.ts';
import { type UiRouteDeps, uiRoutes } from '../api/ui-routes.ts';
import { UiSessions } from '../api/ui-sessions.ts';
import { FarmHttpError, type FarmKey, farmHmac } from '../farm/net/index.ts';
import type { FarmNode } from '../farm/node/farm-node.ts';
import type { FarmApp } from '../http/index.ts';
import { rendererDir } from '../paths.ts';
import { uiHostsSetting } from '../settings/index.ts';

export interface UiParts extends Omit<ServiceDeps, 'farm' | 'defaultVideoPreset'> {
  key: FarmKey;
  node: Pick<
    FarmNode,
    'status' | 'setWorkerMode' | 'controlNode' | 'taskAction' | 'clearBlock' | 'origin' | 'history'
  >;
  videoPreset?: string | undefined;
  rendererDir?: string | undefined;
  /** Where media uploaded with dropped scripts go. */
  media: UiRouteDeps['media'];
  /** Where the farm's queue is kept in this run. */
  queueBackend?: 'lan' | 'redis';
  /** Names besides its addresses, localhost and .local names that the UI answers to (ui-hosts.ts). */
  uiHosts?: readonly string[];
}

export interface Ui {
  service: VfoService;
  /** Farm status changes as events (checked once a second, only while someone listens). */
  subscribeFarm(listener: (event: VfoEvent) => void): () => void;
  register(app: FarmApp): Promise<void>;
}

export function createUi(parts: UiParts): Ui {
  const service = createVfoService({
    ...parts,
    defaultVideoPreset: parts.videoPreset,
    farm: {
      status: () => parts.node.status(),
      setPaused: (paused) => ({ paused: parts.node.setWorkerMode(paused ? 'pause' : 'resume').paused }),
      history: (since) => parts.node.history(since),
      controlNode: (node, action) => farmCall(() => parts.node.controlNode(node, action)),
      taskAction: (task, action) => farmCall(() => parts.node.taskAction(task, action)),
      clearBlock: (origin, job, worker) => farmCall(() => parts.node.clearBlock(origin, job, worker)),
      setJobPriority: async (jobId, priority) => {
        await parts.node.origin.setJobPriority(jobId, priority);
      },
      queueBackend: parts.queueBackend ?? 'lan',
    },
  });
  const subscribeFarm = watchStatus(() => parts.node.status());
  return {
    service,
    subscribeFarm,
    register: (app) =>
      uiRoutes(app, {
        sessions: new UiSessions((nonce) => farmHmac(parts.key, `vfo-ui-session:${nonce}`)),
        dispatch: service.dispatch,
        engine: parts.engine,
        rendererDir: parts.rendererDir ?? rendererDir(),
        subscribeFarm,
        media: parts.media,
        hostAllowed: uiHostsAllowed(parts),
      }),
  };
}

/** How long the `ui.hosts` setting is believed before it is read again: a change applies within it. */
const UI_HOSTS_TTL_MS = 2000;

/** The UI host rule for the names given at start (`--ui-host`) and those in the `ui.hosts` setting now. */
function uiHostsAllowed(parts: Pick<UiParts, 'uiHosts' | 'db'>): (host: string | undefined) => boolean {
  let rule = (_host: string | undefined) => false;
  let readAt = Number.NEGATIVE_INFINITY;
  return (host) => {
    if (Date.now() - readAt > UI_HOSTS_TTL_MS) {
      rule = uiHostRule([...(parts.uiHosts ?? []), ...(uiHostsSetting.read(parts.db) ?? [])]);
      readAt = Date.now();
    }
    return rule(host);
  };
}

/**
 * Membership changes come from hellos every second, so the status is compared once a second — only
 * while someone listens — and sent when it changed.
 */
function watchStatus(status: () => Promise<FarmStatus>) {
  const listeners = new Set<(event: VfoEvent) => void>();
  let timer: NodeJS.Timeout | null = null;
  let last = '';
  const push = async () => {
    const current = await status().catch(() => null);
    const text = JSON.stringify(current);
    if (!current || text === last) return;
    last = text;
    for (const listener of listeners) listener({ type: 'farm', status: current });
  };
  return (listener: (event: VfoEvent) => void): (() => void) => {
    listeners.add(listener);
    timer ??= setInterval(() => void push(), 1000);
    return () => {
      listeners.delete(listener);
      if (listeners.size > 0 || !timer) return;
      clearInterval(timer);
      timer = null;
      last = '';
    };
  };
}

/** A refusal of the farm (no coordinator, unknown node or task, a node that cannot be reached) is an expected failure. */
async function farmCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof FarmHttpError) throw new CallFailure(error.code ?? error.kind, error.message);
    throw error;
  }
}
