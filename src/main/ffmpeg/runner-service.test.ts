import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EncodeRequest, RunnerOutbound } from './encode-types.ts';
import { detectParentPort, type ProcessLike } from './runner-port.ts';
import { serveEncodes } from './runner-service.ts';
import { FFMPEG, FFPROBE, makeImage, makeSineWav, makeTempDir, tinyPlan, waitFor } from './test-fixtures.ts';

/** Stands in for Electron's process.parentPort: MessageEvent-style messages, postMessage out. */
class FakeParentPort extends EventEmitter {
  readonly posted: RunnerOutbound[] = [];
  postMessage(message: unknown): void {
    this.posted.push(message as RunnerOutbound);
  }
  deliver(data: unknown): void {
    this.emit('message', { data });
  }
}

/** Stands in for a process started by child_process.fork. */
class FakeNodeProcess extends EventEmitter {
  readonly sent: RunnerOutbound[] = [];
  connected = true;
  send = (message: unknown): boolean => {
    this.sent.push(message as RunnerOutbound);
    return true;
  };
}

let tmp: { dir: string; cleanup: () => void };
let encodeRequest: EncodeRequest;

beforeAll(() => {
  tmp = makeTempDir('vf-runner-');
  encodeRequest = {
    ffmpegPath: FFMPEG,
    ffprobePath: FFPROBE,
    plan: tinyPlan(),
    assetPaths: {
      img: makeImage(join(tmp.dir, 'img.png')),
      narration: makeSineWav(join(tmp.dir, 'n.wav'), 2),
    },
    outPath: join(tmp.dir, 'out.mp4'),
    encoder: 'libx264',
  };
});
afterAll(() => tmp.cleanup());

describe('detectParentPort', () => {
  it('finds neither port in a plain process', () => {
    expect(detectParentPort({ on: () => undefined })).toBeNull();
  });

  it('prefers Electron parentPort when both exist', () => {
    const proc = Object.assign(new FakeNodeProcess(), { parentPort: new FakeParentPort() });
    expect(detectParentPort(proc as unknown as ProcessLike)?.kind).toBe('electron-parent-port');
  });
});

describe('serveEncodes over an Electron-style parentPort', () => {
  it('runs an encode and posts started, progress and done', async () => {
    const port = new FakeParentPort();
    const runnerPort = detectParentPort({ parentPort: port, on: () => undefined });
    if (!runnerPort) throw new Error('no port');
    serveEncodes(runnerPort, { exit: () => {} });
    port.deliver({ type: 'encode', request: encodeRequest });
    await waitFor(() => port.posted.some((m) => m.type === 'done' || m.type === 'error'));

    const types = port.posted.map((m) => m.type);
    expect(types[0]).toBe('started');
    expect(types).toContain('progress');
    const done = port.posted.at(-1);
    expect(done?.type).toBe('done');
    if (done?.type === 'done') expect(done.result.facts.video?.width).toBe(320);
    expect(existsSync(encodeRequest.outPath)).toBe(true);
  });

  it('answers a bad request with a typed error and ignores junk', async () => {
    const port = new FakeParentPort();
    const runnerPort = detectParentPort({ parentPort: port, on: () => undefined });
    if (!runnerPort) throw new Error('no port');
    serveEncodes(runnerPort, { exit: () => {} });
    port.deliver('hello');
    port.deliver({ type: 'encode', request: { ...encodeRequest, outPath: 'relative.mp4' } });
    await waitFor(() => port.posted.length > 0);
    expect(port.posted).toEqual([
      {
        type: 'error',
        kind: 'invalid-request',
        message: expect.stringContaining('outPath: must be an absolute path'),
      },
    ]);
  });

  it('shuts down when it is re-parented (the app died)', async () => {
    const port = new FakeParentPort();
    const proc = { parentPort: port, on: () => undefined, ppid: 4242 };
    const runnerPort = detectParentPort(proc, { parentPollMs: 10 });
    if (!runnerPort) throw new Error('no port');
    const exits: number[] = [];
    serveEncodes(runnerPort, { exit: (code) => exits.push(code) });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(exits).toEqual([]);
    proc.ppid = 1;
    await waitFor(() => exits.length > 0, 2000);
    expect(exits).toEqual([0]);
  });
});

describe('serveEncodes over Node IPC', () => {
  it('relays messages through process.send and exits on disconnect', async () => {
    const proc = new FakeNodeProcess();
    const runnerPort = detectParentPort(proc as unknown as ProcessLike);
    expect(runnerPort?.kind).toBe('node-ipc');
    if (!runnerPort) throw new Error('no port');
    const exits: number[] = [];
    serveEncodes(runnerPort, { exit: (code) => exits.push(code) });

    proc.emit('message', { type: 'encode', request: { ...encodeRequest, plan: { version: 2 } } });
    await waitFor(() => proc.sent.length > 0);
    expect(proc.sent[0]).toMatchObject({ type: 'error', kind: 'invalid-plan' });

    proc.connected = false;
    proc.emit('disconnect');
    await waitFor(() => exits.length > 0);
    expect(exits).toEqual([0]);
  });
});
