/** Every setting a node keeps (Settings in the app, `vfo gc --budget`, a row edited by hand). */
import { availableParallelism } from 'node:os';
import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { parseRenderHours } from '../../shared/render-hours.ts';
import { carriesPassword } from '../util/url-password.ts';
import { setting } from './setting.ts';

export { type Setting, setting } from './setting.ts';

/** The ffmpeg chosen in Settings (a path, not a secret), used from the next start; null: searched for. */
export const ffmpegPathSetting = setting('ffmpegPath', z.string().min(1).max(4096), 'ffmpeg is searched for');

export const MAX_SEGMENT_SECONDS = 24 * 3600;
export const MAX_LOCAL_PARTS = 16;

/**
 * How long each part of a video split across the farm must last (`farm.segments`); read when a video is
 * sent to the farm, so a change applies to the next video without a restart. None: videos render whole.
 */
export const segmentsSetting = setting(
  'farm.segments',
  z.strictObject({ minSegmentSeconds: z.number().min(1).max(MAX_SEGMENT_SECONDS) }),
  'videos render whole',
);

/**
 * How many parts one video is encoded in on this machine (`render.localParts`): one per core it may use,
 * none shorter than `minSegmentSeconds` (each part pays an ffmpeg start-up and a join). On a farm node the
 * parts are its slots: the farm hands it that many segments at once. None: `defaultLocalParts()`.
 */
export const localPartsSetting = setting(
  'render.localParts',
  z.strictObject({
    parts: z.int().min(1).max(MAX_LOCAL_PARTS),
    minSegmentSeconds: z.number().min(1).max(MAX_SEGMENT_SECONDS),
  }),
  'the default applies',
);

export type LocalParts = NonNullable<ReturnType<typeof localPartsSetting.read>>;

/**
 * One part per core, up to four: past that the join and the per-part start-up eat the gain on a
 * laptop-class Mac, and the farm spreads longer videos anyway. Ten seconds keeps a short video whole.
 */
export function defaultLocalParts(cores: number = availableParallelism()): LocalParts {
  return { parts: Math.max(1, Math.min(4, cores)), minSegmentSeconds: 10 };
}

/**
 * The folders besides a script's own that its media may come from (`media.roots`, a JSON list of
 * absolute folders, none by default). Read when a script is checked and frozen into the job, so the
 * check and the later read agree; an invalid row means no roots (fail closed).
 */
export const mediaRootsSetting = setting(
  'media.roots',
  z.array(z.string().max(4096).refine(isAbsolute, 'a media root must be an absolute folder')).max(100),
  'no media roots are used',
);

/**
 * When the blobs and scratch folders of the data folder pass this, the engine collects garbage after a
 * job ends (`storage.diskBudget`, `{ "maxBytes": N }`). None: nothing is collected on its own.
 */
export const diskBudgetSetting = setting(
  'storage.diskBudget',
  z.strictObject({ maxBytes: z.number().int().nonnegative() }),
  'nothing is collected automatically',
);

/**
 * The free disk a node keeps (`storage.keepFree`, `{ "minBytes": N }`): media and results sent over
 * the network are refused (507) before and while they land once less would be left. None: 2 GiB, so a
 * key holder's uploads cannot fill the Mac's disk (media no job names wait an hour before gc).
 */
export const keepFreeSetting = setting(
  'storage.keepFree',
  z.strictObject({ minBytes: z.number().int().nonnegative() }),
  'the default applies',
);

export const DEFAULT_KEEP_FREE_BYTES = 2 * 1024 ** 3;

const UNITS: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** "20GB", "500 MB", "1.5g", "1048576" → bytes (binary units); null when it is not a size. */
export function parseSize(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!match) return null;
  const bytes = Number(match[1]) * (UNITS[(match[2] ?? '').toLowerCase()] as number);
  return Number.isFinite(bytes) ? Math.round(bytes) : null;
}

/**
 * Why a URL cannot be the alert webhook, or null: http(s) only, and no user or password in it (fetch
 * refuses such a URL, so every alert was lost; the secret signs the deliveries instead).
 */
export function webhookUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'an http(s) URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'an http(s) URL';
  if (parsed.username || parsed.password)
    return 'a URL without a user or password (the webhook secret signs each delivery)';
  return null;
}

/**
 * When the coordinator raises alerts (seed 002's monitoring), and where it sends them (`ops.alerts`).
 * Read again every few seconds, so a change applies without a restart. Absent fields take the defaults. The
 * webhook's secret is never here: it is a secret (ops/webhook.ts says where it comes from).
 */
export const alertsSetting = setting(
  'ops.alerts',
  z.strictObject({
    /** Critical when more than this many tasks wait in the farm's queue. */
    queueCritical: z.number().int().min(0).max(1_000_000).optional(),
    /** Warning when one render has run longer than this many seconds. */
    renderWarningSeconds: z
      .number()
      .min(1)
      .max(7 * 24 * 3600)
      .optional(),
    /** An info summary (done, failed, render time per video-minute) every this many hours; 0: none. */
    summaryEveryHours: z
      .number()
      .min(0)
      .max(31 * 24)
      .optional(),
    /** Where every alert raised or resolved is POSTed as JSON (signed with the webhook secret). */
    webhookUrl: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .refine((url) => webhookUrlProblem(url) === null, 'a webhook URL carries no user or password')
      .optional(),
  }),
  'the default thresholds apply',
);

export const ALERT_DEFAULTS = { queueCritical: 10, renderWarningSeconds: 30 * 60, summaryEveryHours: 24 };

/**
 * How the coordinator keeps the farm's history for the dashboard (`ops.history`): how long rows stay,
 * and how often the queue's length is sampled while it changes.
 */
export const historySetting = setting(
  'ops.history',
  z.strictObject({
    retentionDays: z.number().min(0.01).max(3650).optional(),
    sampleSeconds: z.number().min(1).max(3600).optional(),
  }),
  'the history is kept 14 days, sampled every 10 s',
);

export const HISTORY_DEFAULTS = { retentionDays: 14, sampleSeconds: 10 };

/** Tasks of one job a worker may fail before it gets no more of them (`farm.blocklist`; 3 by default). */
export const DEFAULT_BLOCK_LIMIT = 3;
export const blocklistSetting = setting(
  'farm.blocklist',
  z.strictObject({ maxTaskFailures: z.number().int().min(1).max(100) }),
  `the default (${DEFAULT_BLOCK_LIMIT}) applies`,
);

/** When this node takes farm work (`farm.renderHours`, e.g. "22:00-07:00", local time). None: any time. */
export const renderHoursSetting = setting(
  'farm.renderHours',
  z
    .string()
    .max(200)
    .refine((text) => parseRenderHours(text).ok, 'not render hours like "22:00-07:00"'),
  'the node takes work at any time',
);

/**
 * Step back while someone uses this computer (`farm.yieldToUser`): no new leases while it was touched
 * within `idleSeconds`, and with `suspend` the running encodes stop until it is idle again. None: never.
 */
export const yieldToUserSetting = setting(
  'farm.yieldToUser',
  z.strictObject({ idleSeconds: z.number().int().min(10).max(86_400), suspend: z.boolean() }),
  'the node never yields to its user',
);

/** A host name (letters, digits, dots, hyphens), no port, no scheme: a name browsers may reach the UI by. */
export const UI_HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$/;

/**
 * Names besides its addresses, short and .local names that this node's UI answers to (`ui.hosts`: a
 * name in the studio's own DNS; api/ui-hosts.ts says why there is a list). With `vfo node --ui-host`.
 */
export const uiHostsSetting = setting(
  'ui.hosts',
  z.array(z.string().regex(UI_HOST_NAME)).max(50),
  'the UI answers only at its addresses, short and .local names',
);

/** An operator's pause or drain of this node (`farm.workerMode`), kept over a restart. None: it works. */
export const workerModeSetting = setting('farm.workerMode', z.enum(['pause', 'drain']), 'the node works');

/** redis://host:port or rediss://… with no password in it (the password is a secret: Keychain / env). */
const redisUrlText = z
  .string()
  .max(2048)
  .refine((text) => URL.canParse(text) && /^rediss?:$/.test(new URL(text).protocol), {
    message: 'the Redis URL must look like redis://host:6379 or rediss://host:6380',
  })
  // ioredis also reads a password from the query (`?password=`): neither form is stored.
  .refine((text) => !URL.canParse(text) || !carriesPassword(new URL(text)), {
    message: 'put the Redis password in the password field (kept in the keychain), not in the URL',
  });

const advertisedUrlText = z
  .string()
  .max(2048)
  .refine((text) => URL.canParse(text) && /^https?:$/.test(new URL(text).protocol), {
    message: 'the advertised URL must look like http://render-1.example.com:4870',
  });

/**
 * Where this node's farm keeps its queue (`farm.queue`): absent, on the LAN (mDNS and an elected
 * coordinator); with a Redis URL, in Redis (docs/FARM.md, "Beyond one LAN"). Read when the node
 * starts; `vfo node --redis` beats it.
 */
export const farmQueueSetting = setting(
  'farm.queue',
  z.strictObject({ redisUrl: redisUrlText, advertiseUrl: advertisedUrlText.nullable() }),
  "the farm's queue stays on the LAN",
);
