import { parseRenderHours } from '../../shared/render-hours.ts';
import { type App, openApp } from '../app/open-app.ts';
import { videoPreset } from '../engine/settings-resolver.ts';
import { certificateFingerprint, readFarmKey } from '../farm/net/index.ts';
import { defaultNodeName } from '../farm/node/node-name.ts';
import { readWebhookSecret } from '../ops/index.ts';
import { UI_HOST_NAME, webhookUrlProblem } from '../settings/index.ts';
import { parseCommandArgs, positiveInt, threadsArg } from './args.ts';
import { parseDuration } from './duration.ts';
import { type CliIo, EXIT, UsageError } from './io.ts';
import { parseListenAddress } from './listen-address.ts';
import { exitWhenIdleOf, REDIS_NODE_OPTIONS, REDIS_NODE_USAGE, redisModeOf } from './node-redis-options.ts';

export const NODE_USAGE = `usage: vfo node --farm-key-file FILE [--data DIR] [--port N] [--name NAME] [--interface IP]
                [--role auto|worker] [--max-concurrency N] [--video-preset SLUG] [--ffmpeg PATH] [--threads N]
                [--min-segment-seconds N] [--headers-timeout 10s] [--max-connections-per-client N]
                [--render-hours 22:00-07:00] [--yield-idle-seconds N [--yield-suspend]] [--ui-host NAME ...]
${REDIS_NODE_USAGE}
                [--metrics-listen HOST:PORT] [--alert-webhook URL] [--alert-webhook-secret-file FILE]
  --render-hours: take farm work only then (local time; overrides the farm.renderHours setting)
  --yield-idle-seconds N: no new farm work while this computer was used within N seconds
    (macOS: its HID idle time; elsewhere the file named by VFO_IDLE_SECONDS_FILE); --yield-suspend
    also stops the running encodes until it is idle again (overrides the farm.yieldToUser setting)
  --ui-host NAME: browsers may also reach the UI by this name (by default only by the node's addresses,
    localhost, .local names and this computer's name: a page cannot rebind its own name to the node)`;

/** `vfo node`: this machine joins the farm headless and runs until SIGINT/SIGTERM. */
export async function nodeCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(
    argv,
    {
      port: { type: 'string' },
      name: { type: 'string' },
      'farm-key-file': { type: 'string' },
      interface: { type: 'string' },
      role: { type: 'string' },
      'max-concurrency': { type: 'string' },
      'video-preset': { type: 'string' },
      ffmpeg: { type: 'string' },
      threads: { type: 'string' },
      'min-segment-seconds': { type: 'string' },
      'headers-timeout': { type: 'string' },
      'max-connections-per-client': { type: 'string' },
      'metrics-listen': { type: 'string' },
      'alert-webhook': { type: 'string' },
      'alert-webhook-secret-file': { type: 'string' },
      'render-hours': { type: 'string' },
      'yield-idle-seconds': { type: 'string' },
      'yield-suspend': { type: 'boolean' },
      'ui-host': { type: 'string', multiple: true },
      ...REDIS_NODE_OPTIONS,
    },
    { positionals: false },
  );
  if (values.help) {
    io.out(NODE_USAGE);
    return EXIT.ok;
  }
  if (!values['farm-key-file']) throw new UsageError(`--farm-key-file is required\n${NODE_USAGE}`);
  const role = values.role ?? 'auto';
  if (role !== 'auto' && role !== 'worker') throw new UsageError('--role must be auto or worker');
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('--port must be 0..65535');
  // Overrides the farm.segments setting for this run (tests and benchmarks split short videos).
  const minSegmentSeconds = positiveInt(values['min-segment-seconds'], 'min-segment-seconds');
  const headersTimeoutMs =
    values['headers-timeout'] === undefined
      ? undefined
      : parseDuration(values['headers-timeout'], 'headers-timeout');
  const maxConnectionsPerClient = positiveInt(
    values['max-connections-per-client'],
    'max-connections-per-client',
  );
  const renderHours = values['render-hours'];
  if (renderHours !== undefined) {
    const parsed = parseRenderHours(renderHours);
    if (!parsed.ok) throw new UsageError(`--render-hours: ${parsed.message}`);
  }
  const idleSeconds = idleSecondsArg(values['yield-idle-seconds']);
  const uiHosts = values['ui-host'] ?? [];
  const badHost = uiHosts.find((name) => !UI_HOST_NAME.test(name));
  if (badHost !== undefined)
    throw new UsageError(`--ui-host takes a host name (no scheme, no port), not "${badHost}"`);
  if (values['yield-suspend'] && idleSeconds === undefined)
    throw new UsageError('--yield-suspend needs --yield-idle-seconds N');
  const compatibility = compatibilityOverrides(process.env);
  const key = await readFarmKey(values['farm-key-file']).catch((error: Error) => {
    throw new UsageError(error.message);
  });
  const redis = await redisModeOf(values);
  const exitWhenIdleMs = exitWhenIdleOf(values);
  // Off by default: metrics are served only where the user says.
  const metricsListen = values['metrics-listen']
    ? parseListenAddress(values['metrics-listen'], 'metrics-listen')
    : undefined;
  const alertWebhook = await alertWebhookOf(values['alert-webhook'], values['alert-webhook-secret-file']);
  const app = await openApp({
    data: values.data,
    ffmpeg: values.ffmpeg,
    threads: threadsArg(values.threads),
    // The same node serves the app's UI and contract to any browser on the LAN (farm key required).
    farm: {
      key,
      name: values.name ?? defaultNodeName(),
      host: values.interface ?? '0.0.0.0',
      port,
      ...(values.interface ? { interface: values.interface } : {}),
      role,
      // Default: the render.localParts setting's parts (one slot per core given to renders).
      maxConcurrency: positiveInt(values['max-concurrency'], 'max-concurrency'),
      ...(values['video-preset'] ? { videoPreset: values['video-preset'] } : {}),
      ...(minSegmentSeconds !== undefined ? { minSegmentSeconds } : {}),
      ...(renderHours !== undefined ? { renderHours } : {}),
      uiHosts,
      ...(idleSeconds !== undefined
        ? { yieldToUser: { idleSeconds, suspend: Boolean(values['yield-suspend']) } }
        : {}),
      ...compatibility,
      http: {
        ...(headersTimeoutMs !== undefined ? { headersTimeoutMs } : {}),
        ...(maxConnectionsPerClient !== undefined ? { maxConnectionsPerClient } : {}),
      },
      ...(redis ? { redis } : {}),
      metricsListen,
      alertWebhook,
    },
  });
  const node = app.node as NonNullable<typeof app.node>;
  // The preset this node renders submitted scripts with: an unknown one is refused now, not per job.
  const preset = values['video-preset'];
  if (preset) {
    try {
      videoPreset(app.db, preset);
    } catch (error) {
      await app.close();
      throw new UsageError(`--video-preset: ${(error as Error).message}`);
    }
  }
  try {
    await app.start();
  } catch (error) {
    await closeNode(app);
    throw error;
  }
  const metrics = app.metricsUrl();
  io.out(
    JSON.stringify({
      event: 'listening',
      id: node.nodeId,
      name: node.name,
      url: node.selfUrl,
      queue: app.queueBackend,
      // What clients pin (handed out with the farm key: docs/FARM.md).
      ...(redis?.tls ? { tlsSha256: certificateFingerprint(redis.tls.cert) } : {}),
      ...(metrics ? { metrics } : {}),
    }),
  );
  const idle =
    exitWhenIdleMs !== undefined && 'whenIdleFor' in node ? node.whenIdleFor(exitWhenIdleMs) : null;
  const ended = await new Promise<'signal' | 'idle'>((resolve) => {
    process.once('SIGINT', () => resolve('signal'));
    process.once('SIGTERM', () => resolve('signal'));
    void idle?.then(() => resolve('idle'));
  });
  // An on-demand box ends itself once the queue stayed empty (seed 002's scale-down).
  if (ended === 'idle')
    io.out(JSON.stringify({ event: 'idle-exit', id: node.nodeId, idleMs: exitWhenIdleMs }));
  await closeNode(app);
  return EXIT.ok;
}

/** Longest a stopping node waits for its peers and its queue before it goes anyway. */
const CLOSE_WITHIN_MS = 15_000;

/**
 * Closes the node within CLOSE_WITHIN_MS, and makes sure the process then ends: a connection left
 * retrying (a refused Redis password) kept a node alive after SIGTERM. The timer is unref'd: it fires
 * only if something else still holds the process open.
 */
async function closeNode(app: App): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    app.close(),
    new Promise((resolve) => {
      timer = setTimeout(resolve, CLOSE_WITHIN_MS);
    }),
  ]);
  clearTimeout(timer);
  setTimeout(() => process.exit(), 2000).unref();
}

/**
 * The webhook's URL (else the `ops.alerts` setting's) and its secret: from a file only its owner may
 * read, else VFO_ALERT_WEBHOOK_SECRET (read by the app's secret store). Bad input stops here (exit 2).
 */
async function alertWebhookOf(url: string | undefined, secretFile: string | undefined) {
  const problem = url === undefined ? null : webhookUrlProblem(url);
  // The URL itself is not repeated: it may hold a password.
  if (problem) throw new UsageError(`--alert-webhook must be ${problem}`);
  const secret = secretFile
    ? await readWebhookSecret(secretFile).catch((error: Error) => {
        throw new UsageError(error.message);
      })
    : undefined;
  return { url, secret };
}

/**
 * VFO_APP_VERSION and VFO_FARM_PROTOCOL make this node claim another app version or speak another farm
 * protocol than its build: how the compatibility tests put "old" and "new" nodes on one LAN.
 */
function compatibilityOverrides(env: NodeJS.ProcessEnv): { version?: string; protocol?: number } {
  const version = env.VFO_APP_VERSION;
  const protocol = env.VFO_FARM_PROTOCOL;
  if (version !== undefined && !/^[0-9A-Za-z.+_-]{1,64}$/.test(version))
    throw new UsageError('VFO_APP_VERSION must be a version like 1.2.3');
  if (protocol !== undefined && !/^\d{1,4}$/.test(protocol))
    throw new UsageError('VFO_FARM_PROTOCOL must be a whole number');
  return {
    ...(version !== undefined ? { version } : {}),
    ...(protocol !== undefined ? { protocol: Number(protocol) } : {}),
  };
}

function idleSecondsArg(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 10 || n > 86_400)
    throw new UsageError('--yield-idle-seconds must be a whole number from 10 to 86400');
  return n;
}
