import { basename, dirname, extname, join } from 'node:path';
import { readFfmpegPathSetting } from '../api/ffmpeg-path-setting.ts';
import { type OpenedDatabase, openDatabase } from '../db/open.ts';
import { BlobStore } from '../engine/blob-store.ts';
import { Engine } from '../engine/engine.ts';
import { blobsHeldByOriginTasks } from '../farm/node/origin.ts';
import type { RunnerChannel } from '../ffmpeg/index.ts';
import { bundledEncodeRunner, chooseDataDir, resourcesDir } from '../paths.ts';
import { builtinHandlers, createDefaultServices, type PipelineServices } from '../pipeline/index.ts';
import { envSecretStore, type SecretStore } from '../secrets/secret-store.ts';

export interface CliContext {
  dataDir: string;
  database: OpenedDatabase;
  engine: Engine;
  services: PipelineServices;
  close(): void;
}

export interface ContextOptions {
  data?: string | undefined;
  ffmpeg?: string | undefined;
  threads?: number | undefined;
  /** Encodes this engine may wait on at once: 1 locally; many on a farm node, where workers encode. */
  encoderSlots?: number | undefined;
  /** Provider keys: the environment for the CLI, the Keychain-backed store in the app. */
  secrets?: SecretStore | undefined;
  /** The app's bundled encode runner and how to start it (an Electron utility process). */
  encodeRunnerPath?: string | undefined;
  startEncodeRunner?: ((runnerPath: string) => RunnerChannel) | undefined;
}

/**
 * Opens the data folder and an engine on it. Crash repair runs here, before any command does work,
 * so every `vfo` start (like every app start) puts back what an earlier crash left half done.
 */
export async function openContext(options: ContextOptions): Promise<CliContext> {
  const dataDir = chooseDataDir(options.data);
  const database = openDatabase(dataDir);
  const resources = resourcesDir();
  const blobs = new BlobStore(dataDir);
  // --ffmpeg beats the path chosen in Settings, which beats the search.
  const ffmpegPath = options.ffmpeg ?? readFfmpegPathSetting(database.db);
  const runner = options.encodeRunnerPath ?? bundledEncodeRunner();
  const services = createDefaultServices({
    db: database.db,
    dataDir,
    resourcesDir: resources,
    blobs,
    ...(ffmpegPath ? { ffmpegPath } : {}),
    ...(options.threads ? { encoderThreads: options.threads } : {}),
    ...(runner ? { encodeRunnerPath: runner } : {}),
    secrets: options.secrets ?? envSecretStore(),
    ...(options.startEncodeRunner ? { startEncodeRunner: options.startEncodeRunner } : {}),
    ...(process.env.ANTHROPIC_BASE_URL ? { anthropicBaseUrl: process.env.ANTHROPIC_BASE_URL } : {}),
    ...(process.env.AZURE_SPEECH_HOST ? { azureSpeechHost: process.env.AZURE_SPEECH_HOST } : {}),
  });
  const engine = new Engine({
    dataDir,
    database,
    blobs,
    handlers: builtinHandlers(services, database.db),
    stepConcurrency: Number(process.env.VFO_STEP_CONCURRENCY) || 2,
    encoderSlots: options.encoderSlots ?? 1,
    heldByFarm: () => blobsHeldByOriginTasks(database.sqlite),
  });
  await engine.repair();
  return { dataDir, database, engine, services, close: () => database.close() };
}

export function outputPathFor(scriptPath: string, outDir: string | undefined): string {
  return join(outDir ?? dirname(scriptPath), `${basename(scriptPath, extname(scriptPath))}.mp4`);
}
