/**
 * `vfo node`'s Redis-mode options and the clients' TLS options refuse what they cannot use with a
 * usage error naming the option (exit 2, no stack trace), before anything starts.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateFarmKey } from '../src/main/farm/net/index.ts';
import { startRedis, stopAllRedis } from './farm/redis-support.ts';
import { hasStackTrace, runVfo, tempDir } from './support/vfo.ts';

let dir: { path: string; remove(): Promise<void> };
let keyFile: string;
let notPem: string;
let pem: string;
let sharedKey: string;

beforeAll(async () => {
  dir = await tempDir('vfo-redis-cli-');
  keyFile = join(dir.path, 'farm.key');
  await writeFile(keyFile, `${generateFarmKey()}\n`, { mode: 0o600 });
  notPem = join(dir.path, 'cert.txt');
  await writeFile(notPem, 'not a certificate\n');
  pem = join(dir.path, 'cert.pem');
  await writeFile(pem, '-----BEGIN CERTIFICATE-----\n');
  sharedKey = join(dir.path, 'shared.key');
  await writeFile(sharedKey, '-----BEGIN PRIVATE KEY-----\n', { mode: 0o644 });
});
afterAll(async () => {
  stopAllRedis();
  await dir?.remove();
});

const REDIS = ['--redis', 'redis://127.0.0.1:1'];

describe('Redis-mode options of vfo node and the clients', () => {
  const cases: [string, () => string[], RegExp][] = [
    [
      'a URL that is not Redis',
      () => ['--redis', 'http://127.0.0.1:6379'],
      /--redis must start with redis:\/\/ or rediss:\/\//,
    ],
    ['no URL at all', () => ['--redis', 'localhost'], /--redis must (be a URL|start with)/],
    // Found by attacking secrets: any account read the password in \`ps\`, and it was used.
    ...(['redis://:hunter2@127.0.0.1:6379', 'redis://127.0.0.1:6379?Password=hunter2'].map((url) => [
      `Redis's password in the URL (${url})`,
      () => ['--redis', url],
      /--redis must not carry Redis's password .*: set VFO_REDIS_PASSWORD/,
    ]) as [string, () => string[], RegExp][]),
    ['TLS on a LAN farm', () => ['--tls-cert', notPem, '--tls-key', notPem], /--tls-cert needs --redis/],
    ['an idle exit on a LAN farm', () => ['--exit-when-idle', '5m'], /--exit-when-idle needs --redis/],
    [
      'a UI name that is a URL',
      () => ['--ui-host', 'http://box.example.com:4870'],
      /--ui-host takes a host name \(no scheme, no port\), not "http:\/\/box\.example\.com:4870"/,
    ],
    [
      'a certificate without its key',
      () => [...REDIS, '--tls-cert', notPem],
      /--tls-cert and --tls-key go together/,
    ],
    [
      'a file that is not PEM',
      () => [...REDIS, '--tls-cert', notPem, '--tls-key', notPem],
      /--tls-cert: .* is not a PEM file/,
    ],
    // Found by attacking secrets: a TLS key other accounts could read was taken, the farm key's is not.
    [
      'a TLS key other accounts can read',
      () => [...REDIS, '--tls-cert', pem, '--tls-key', sharedKey],
      /--tls-key .*shared\.key can be read by other users \(mode 644\)/,
    ],
    [
      'a missing CA file',
      () => [...REDIS, '--tls-ca', join(dir.path, 'nope.pem')],
      /--tls-ca: cannot read .*ENOENT/,
    ],
    [
      'an https address without a certificate',
      () => [...REDIS, '--advertise-url', 'https://box.example.com:4870'],
      /no --tls-cert/,
    ],
    [
      'an address with a path',
      () => [...REDIS, '--advertise-url', 'http://box.example.com:4870/farm'],
      /--advertise-url must be a URL like/,
    ],
    [
      'an idle time that is not one',
      () => [...REDIS, '--exit-when-idle', 'soon'],
      /--exit-when-idle must be a duration/,
    ],
  ];
  it.each(cases)('vfo node refuses %s (exit 2)', async (_name, args, expected) => {
    const result = await runVfo([
      'node',
      '--farm-key-file',
      keyFile,
      '--data',
      join(dir.path, 'data'),
      ...args(),
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(expected);
    expect(hasStackTrace(result.stderr)).toBe(false);
  });

  it('vfo status refuses a pin that is not a fingerprint, and a CA file it cannot read (exit 2)', async () => {
    const node = ['status', '--node', 'https://127.0.0.1:1', '--farm-key-file', keyFile];
    const pin = await runVfo([...node, '--tls-pin', 'xyz']);
    expect(pin.code).toBe(2);
    expect(pin.stderr).toMatch(/--tls-pin must be a sha256 fingerprint/);
    // Found by attacking the CLI: a pin given for a plain-http node was quietly ignored.
    const plain = ['status', '--node', 'http://127.0.0.1:1', '--farm-key-file', keyFile];
    const unpinned = await runVfo([...plain, '--tls-pin', 'a'.repeat(64)]);
    expect(unpinned.code).toBe(2);
    expect(unpinned.stderr).toMatch(/--tls-pin pins an https node; http:\/\/127\.0\.0\.1:1 is not https/);
    // vfo farm takes the same options (it took them only from the environment).
    const farm = await runVfo(['farm', 'pause', ...plain.slice(1), '--tls-pin', 'a'.repeat(64)]);
    expect(farm.code).toBe(2);
    expect(farm.stderr).toMatch(/--tls-pin pins an https node/);
    const ca = await runVfo([...node, '--tls-ca', join(dir.path, 'nope.pem')]);
    expect(ca.code).toBe(2);
    expect(ca.stderr).toMatch(/--tls-ca: cannot read/);
    for (const result of [pin, ca]) expect(hasStackTrace(result.stderr)).toBe(false);
  });

  // Found by attacking Redis mode: a wrong password was never reported (only reconnects were logged),
  // and the node then ignored SIGTERM.
  it('vfo node ends with a clear error when Redis refuses its password, which it never prints', async () => {
    const redis = await startRedis({ dir: join(dir.path, 'redis'), requirePass: 'the-right-one' });
    const result = await runVfo(
      ['node', '--farm-key-file', keyFile, '--data', join(dir.path, 'data-pw'), '--redis', redis.url],
      { VFO_REDIS_PASSWORD: 'a-wrong-one' },
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`Redis at ${redis.url.replace('redis://', '')} refused the password`);
    expect(hasStackTrace(result.stderr)).toBe(false);
    expect(`${result.stdout}${result.stderr}`).not.toContain('a-wrong-one');
  });
});
