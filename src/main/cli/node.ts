import { openApp } from '../app/open-app.ts';
import { readFarmKey } from '../farm/net/index.ts';
import { defaultNodeName } from '../farm/node/node-name.ts';
import { readWebhookSecret } from '../ops/index.ts';
import { parseCommandArgs, positiveInt } from './args.ts';
import { parseDuration } from './duration.ts';
import { type CliIo, EXIT, UsageError } from './io.ts';
import { parseListenAddress } from './listen-address.ts';

export const NODE_USAGE = `usage: vfo node --farm-key-file FILE [--data DIR] [--port N] [--name NAME] [--interface IP]
                [--role auto|worker] [--max-concurrency N] [--video-preset SLUG] [--ffmpeg PATH] [--threads N]
                [--min-segment-seconds N] [--headers-timeout 10s] [--max-connections-per-client N]
                [--metrics-listen HOST:PORT] [--alert-webhook URL] [--alert-webhook-secret-file FILE]`;

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
    'metrics-listen': { type: 'string' },
    'alert-webhook': { type: 'string' },
    'alert-webhook-secret-file': { type: 'string' },
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
  // Off by default: metrics are served only where the user says.
  const metricsListen = values['metrics-listen']
    ? parseListenAddress(values['metrics-listen'], 'metrics-listen')
    : undefined;
  const alertWebhook = await alertWebhookOf(values['alert-webhook'], values['alert-webhook-secret-file']);
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
      maxConcurrency: positiveInt(values['max-concurrency'], 'max-concurrency') ?? 1,
      ...(values['video-preset'] ? { videoPreset: values['video-preset'] } : {}),
      ...(minSegmentSeconds !== undefined ? { minSegmentSeconds } : {}),
      http: {
        ...(headersTimeoutMs !== undefined ? { headersTimeoutMs } : {}),
        ...(maxConnectionsPerClient !== undefined ? { maxConnectionsPerClient } : {}),
      },
      metricsListen,
      alertWebhook,
    },
  });
  const node = app.node as NonNullable<typeof app.node>;
  await app.start();
  const metrics = app.metricsUrl();
  io.out(
    JSON.stringify({
      event: 'listening',
      id: node.nodeId,
      name: node.name,
      url: node.selfUrl,
      ...(metrics ? { metrics } : {}),
    }),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await app.close();
  return EXIT.ok;
}

/**
 * The webhook's URL (else the `ops.alerts` setting's) and its secret: from a file only its owner may
 * read, else VFO_ALERT_WEBHOOK_SECRET (read by the app's secret store). Bad input stops here (exit 2).
 */
async function alertWebhookOf(url: string | undefined, secretFile: string | undefined) {
  if (url !== undefined && !/^https?:\/\/[^\s]+$/.test(url)) {
    throw new UsageError(`--alert-webhook must be an http(s) URL, not "${url}"`);
  }
  const secret = secretFile
    ? await readWebhookSecret(secretFile).catch((error: Error) => {
        throw new UsageError(error.message);
      })
    : undefined;
  return { url, secret };
}
