import { UsageError } from './io.ts';

/** "127.0.0.1:9464", "[::1]:9464", "localhost:9464" → host and port; the host is never implied. */
export function parseListenAddress(text: string, option: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (!match || !Number.isInteger(port) || port > 65535) {
    throw new UsageError(`--${option} must be HOST:PORT (e.g. 127.0.0.1:9464), not "${text}"`);
  }
  return { host: (match[1] ?? match[2]) as string, port };
}
