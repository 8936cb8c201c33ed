/**
 * How long the person at this machine has not touched it (keyboard, mouse, trackpad): the seam behind
 * "yield while someone uses this Mac". macOS keeps it in the HID system's registry entry; other systems
 * have no portable equivalent, so there a file named by VFO_IDLE_SECONDS_FILE stands in (its content is
 * the idle seconds): the tests drive it, and a Linux box can feed it from xprintidle if it wants.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { createLogger } from '../../log/logger.ts';

const log = createLogger('IdleTime');
const run = promisify(execFile);

export interface IdleTime {
  /** Seconds since the last input; null when it cannot be known (then nobody counts as present). */
  seconds(): Promise<number | null>;
}

/** `ioreg -c IOHIDSystem` prints `"HIDIdleTime" = 123456789` in nanoseconds. */
export function parseHidIdleTime(ioregOutput: string): number | null {
  const match = /"HIDIdleTime"\s*=\s*(\d+)/.exec(ioregOutput);
  return match ? Number(match[1]) / 1e9 : null;
}

export function macIdleTime(ioregPath = '/usr/sbin/ioreg'): IdleTime {
  return {
    async seconds() {
      try {
        const { stdout } = await run(ioregPath, ['-c', 'IOHIDSystem', '-d', '4'], {
          timeout: 5000,
          maxBuffer: 4 * 1024 * 1024,
        });
        return parseHidIdleTime(stdout);
      } catch (error) {
        log.warn('could not read the idle time with ioreg', { error: String(error) });
        return null;
      }
    },
  };
}

/**
 * The stand-in: a file holding the idle seconds as a number. Missing, unreadable or empty: unknown
 * (`Number('')` is 0, "someone typing", and an empty file is what a writer leaves as it starts).
 */
export function fileIdleTime(path: string): IdleTime {
  return {
    async seconds() {
      const text = (await readFile(path, 'utf8').catch(() => null))?.trim();
      const value = text ? Number(text) : Number.NaN;
      return Number.isFinite(value) && value >= 0 ? value : null;
    },
  };
}

/** The idle time source of this machine, or null when it has none (the node then never yields to a user). */
export function idleTimeOfThisMachine(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): IdleTime | null {
  if (env.VFO_IDLE_SECONDS_FILE) return fileIdleTime(env.VFO_IDLE_SECONDS_FILE);
  return platform === 'darwin' ? macIdleTime() : null;
}
