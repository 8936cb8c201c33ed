/** Runs the real `vfo` command in a child process, as a user would, with its own data folder. */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../..');
export const VFO = join(REPO, 'bin', 'vfo.js');

export interface VfoResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  // Never let a developer's real keys or data folder leak into a test.
  for (const key of ['ANTHROPIC_API_KEY', 'AZURE_SPEECH_KEY', 'AZURE_SPEECH_REGION', 'VFO_LOG_LEVEL']) {
    if (!(key in extra)) delete env[key];
  }
  return env;
}

export function startVfo(args: string[], env: NodeJS.ProcessEnv = {}): ChildProcess {
  return spawn(process.execPath, [VFO, ...args], {
    cwd: REPO,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function runVfo(args: string[], env: NodeJS.ProcessEnv = {}): Promise<VfoResult> {
  return outcomeOf(startVfo(args, env));
}

/** Another command (`unshare`, say) with the clean environment, which may run vfo itself. */
export function runCommand(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<VfoResult> {
  return outcomeOf(
    spawn(command, args, { cwd: REPO, env: cleanEnv(env), stdio: ['ignore', 'pipe', 'pipe'] }),
  );
}

function outcomeOf(child: ChildProcess): Promise<VfoResult> {
  return new Promise((resolvePromise, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => {
      stdout += d;
    });
    child.stderr?.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

export async function tempDir(prefix = 'vfo-test-'): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A stack trace printed to the user is a bug: these are the lines one would contain. */
export function hasStackTrace(text: string): boolean {
  return /^\s+at .+[:(]\d+/m.test(text) || /node:internal/.test(text);
}
