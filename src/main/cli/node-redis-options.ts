/**
 * `vfo node`'s options for a farm whose queue is in Redis (docs/FARM.md, "Beyond one LAN"): the Redis
 * URL, where other nodes reach this one, HTTPS, whom to trust, and when an on-demand box ends itself.
 * Every mistake is a usage error naming the option (exit 2).
 */
import { readFile } from 'node:fs/promises';
import type { RedisModeOptions } from '../app/open-app.ts';
import { parseRedisUrl } from '../farm/redis/index.ts';
import { PrivateFileError, readPrivateFile } from '../util/private-file.ts';
import { parseDuration } from './duration.ts';
import { UsageError } from './io.ts';

export const REDIS_NODE_OPTIONS = {
  redis: { type: 'string' },
  'advertise-url': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  'exit-when-idle': { type: 'string' },
} as const;

export const REDIS_NODE_USAGE = `                [--redis redis[s]://HOST:PORT --advertise-url URL] [--tls-cert FILE --tls-key FILE]
                [--tls-ca FILE] [--exit-when-idle 5m]   (Redis's password: VFO_REDIS_PASSWORD)`;

type Values = Partial<Record<keyof typeof REDIS_NODE_OPTIONS, string>>;

async function readPem(path: string, option: string): Promise<string> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new UsageError(`--${option}: cannot read ${path} (${error.code ?? 'unknown'})`);
  });
  return pemOf(text, path, option);
}

/** The node's TLS key is a secret: a file other accounts may read is refused, as the farm key's is. */
async function readPrivatePem(path: string, option: string): Promise<string> {
  const text = await readPrivateFile(path, `--${option}`).catch((error: unknown) => {
    throw error instanceof PrivateFileError ? new UsageError(error.message) : error;
  });
  return pemOf(text, path, option);
}

function pemOf(text: string, path: string, option: string): string {
  if (!text.includes('-----BEGIN ')) throw new UsageError(`--${option}: ${path} is not a PEM file`);
  return text;
}

/** The Redis mode these options ask for, or undefined for the LAN (and then none of them may be given). */
export async function redisModeOf(values: Values): Promise<RedisModeOptions | undefined> {
  if (!values.redis) {
    const stray = (['advertise-url', 'tls-cert', 'tls-key', 'tls-ca', 'exit-when-idle'] as const).find(
      (name) => values[name] !== undefined,
    );
    // TLS, advertised URLs and idle exits are for a farm across networks; a LAN farm has none of them.
    if (stray) throw new UsageError(`--${stray} needs --redis (a LAN farm runs without it)`);
    return undefined;
  }
  let target: ReturnType<typeof parseRedisUrl>;
  try {
    target = parseRedisUrl(values.redis);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined))
    throw new UsageError('--tls-cert and --tls-key go together');
  const tls =
    values['tls-cert'] && values['tls-key']
      ? {
          cert: await readPem(values['tls-cert'], 'tls-cert'),
          key: await readPrivatePem(values['tls-key'], 'tls-key'),
        }
      : undefined;
  const advertiseUrl = values['advertise-url'];
  if (advertiseUrl !== undefined) {
    const url = URL.canParse(advertiseUrl) ? new URL(advertiseUrl) : null;
    if (!url || !/^https?:$/.test(url.protocol) || url.pathname !== '/' || url.search)
      throw new UsageError(
        `--advertise-url must be a URL like https://render-1.example.com:4870, not "${advertiseUrl}"`,
      );
    if ((url.protocol === 'https:') !== Boolean(tls))
      throw new UsageError(
        tls
          ? '--advertise-url must be https:// when the node serves TLS'
          : '--advertise-url is https:// but no --tls-cert is given',
      );
  }
  return {
    url: target.url,
    ...(advertiseUrl ? { advertiseUrl: new URL(advertiseUrl).origin } : {}),
    ...(tls ? { tls } : {}),
    ...(values['tls-ca'] ? { tlsCa: await readPem(values['tls-ca'], 'tls-ca') } : {}),
  };
}

/** `--exit-when-idle 5m` in milliseconds, or undefined. */
export function exitWhenIdleOf(values: Values): number | undefined {
  const value = values['exit-when-idle'];
  return value === undefined ? undefined : parseDuration(value, 'exit-when-idle');
}
