import { openApp } from '../app/open-app.ts';
import { certificateFingerprint, readFarmKey } from '../farm/net/index.ts';
import { defaultNodeName } from '../farm/node/node-name.ts';
import { parseCommandArgs, positiveInt } from './args.ts';
import { parseDuration } from './duration.ts';
import { type CliIo, EXIT, UsageError } from './io.ts';
import { exitWhenIdleOf, REDIS_NODE_OPTIONS, REDIS_NODE_USAGE, redisModeOf } from './node-redis-options.ts';

export const NODE_USAGE = `usage: vfo node --farm-key-file FILE [--data DIR] [--port N] [--name NAME] [--interface IP]
                [--role auto|worker] [--max-concurrency N] [--video-preset SLUG] [--ffmpeg PATH] [--threads N]
                [--min-segment-seconds N] [--headers-timeout 10s] [--max-connections-per-client N]
${REDIS_NODE_USAGE}`;

/** `vfo node`: this machine joins the farm headless and runs until SIGINT/SIGTERM. */
export async function nodeCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(argv, {
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
    ...REDIS_NODE_OPTIONS,
  });
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
  const key = await readFarmKey(values['farm-key-file']).catch((error: Error) => {
    throw new UsageError(error.message);
  });
  const redis = await redisModeOf(values);
  const exitWhenIdleMs = exitWhenIdleOf(values);
  const app = await openApp({
    data: values.data,
    ffmpeg: values.ffmpeg,
    threads: positiveInt(values.threads, 'threads'),
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
      http: {
        ...(headersTimeoutMs !== undefined ? { headersTimeoutMs } : {}),
        ...(maxConnectionsPerClient !== undefined ? { maxConnectionsPerClient } : {}),
      },
      ...(redis ? { redis } : {}),
    },
  });
  const node = app.node as NonNullable<typeof app.node>;
  await app.start();
  io.out(
    JSON.stringify({
      event: 'listening',
      id: node.nodeId,
      name: node.name,
      url: node.selfUrl,
      queue: app.queueBackend,
      // What clients pin (handed out with the farm key: docs/FARM.md).
      ...(redis?.tls ? { tlsSha256: certificateFingerprint(redis.tls.cert) } : {}),
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
  await app.close();
  return EXIT.ok;
}
