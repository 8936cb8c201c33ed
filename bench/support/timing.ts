/** Timing helpers shared by the benchmarks: a child process timed to its exit, medians, seconds. */
import { spawn } from 'node:child_process';

/** Runs `command` to its end and resolves with its wall time in ms; rejects with its stderr's tail. */
export function timed(command: string, args: string[]): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const start = performance.now();
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolvePromise(performance.now() - start);
      else reject(new Error(`${command} exited ${code}: ${stderr.slice(-2000)}`));
    });
  });
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export const seconds = (ms: number): string => (ms / 1000).toFixed(2);

/**
 * Runs every named command once per round, in an order rotated each round (so none always runs first,
 * or right after the heaviest), and returns every time by name.
 */
export async function alternate(
  runs: Record<string, () => Promise<number>>,
  rounds: number,
): Promise<Record<string, number[]>> {
  const names = Object.keys(runs);
  const times: Record<string, number[]> = Object.fromEntries(names.map((k) => [k, []]));
  for (let round = 0; round < rounds; round++) {
    const order = names.map((_, i) => names[(i + round) % names.length] as string);
    for (const name of order) times[name]?.push(await (runs[name] as () => Promise<number>)());
  }
  return times;
}
