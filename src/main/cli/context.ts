import { basename, dirname, extname, join } from 'node:path';
import { type OpenedDatabase, openDatabase } from '../db/open.ts';
import { BlobStore } from '../engine/blob-store.ts';
import { Engine } from '../engine/engine.ts';
import { bundledEncodeRunner, chooseDataDir, resourcesDir } from '../paths.ts';
import { builtinHandlers, createDefaultServices, type PipelineServices } from '../pipeline/index.ts';
import { envSecretStore } from '../secrets/secret-store.ts';

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
  const runner = bundledEncodeRunner();
  const services = createDefaultServices({
    db: database.db,
    dataDir,
    resourcesDir: resources,
    blobs,
    ...(options.ffmpeg ? { ffmpegPath: options.ffmpeg } : {}),
    ...(options.threads ? { encoderThreads: options.threads } : {}),
    ...(runner ? { encodeRunnerPath: runner } : {}),
    secrets: envSecretStore(),
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
  });
  await engine.repair();
  return { dataDir, database, engine, services, close: () => database.close() };
}

export function outputPathFor(scriptPath: string, outDir: string | undefined): string {
  return join(outDir ?? dirname(scriptPath), `${basename(scriptPath, extname(scriptPath))}.mp4`);
}
