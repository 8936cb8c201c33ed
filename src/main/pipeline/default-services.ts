import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import type { Db } from '../db/open.ts';
import { voicePresets } from '../db/schema.ts';
import type { BlobStore } from '../engine/blob-store.ts';
import { StepError } from '../engine/errors.ts';
import { locateFfmpeg, probeFfmpeg, type RunnerChannel } from '../ffmpeg/index.ts';
import type { SecretStore } from '../secrets/secret-store.ts';
import { defaultLocalParts, type LocalParts, localPartsSetting } from '../settings/index.ts';
import { createOfflineSynthesizer } from '../speech/index.ts';
import { memoizeSuccess } from '../util/memoize-success.ts';
import type { FarmEncodeService, PipelineServices } from './services.ts';

export interface DefaultServicesOptions {
  db: Db;
  dataDir: string;
  resourcesDir: string;
  blobs: BlobStore;
  /** ffmpeg chosen in Settings or with --ffmpeg; searched for otherwise. */
  ffmpegPath?: string;
  encoderThreads?: number;
  encodeRunnerPath?: string;
  /** How the app starts the runner (an Electron utility process); child_process.fork when absent. */
  startEncodeRunner?: (runnerPath: string) => RunnerChannel;
  /** Provider keys (environment for the CLI, the keychain in the app). */
  secrets: SecretStore;
  /** Where Claude is reached: ANTHROPIC_BASE_URL (a proxy, or a local fake in tests), else Anthropic. */
  anthropicBaseUrl?: string;
  /** Azure Speech reached by host instead of region: an on-premises container, or a local fake in tests. */
  azureSpeechHost?: string;
  /** On a farm node: the encode step sends its plans to the farm. */
  farm?: FarmEncodeService;
  /** How many parts a video is encoded in here; default: the render.localParts setting. */
  localParts?: () => LocalParts;
}

/** The probe cache's file name in the machine's cache folder. */
const FFMPEG_PROBE_CACHE = 'ffmpeg-probe.json';

/** ffmpeg found on this machine (once; again after a failure), probed for its encoders. */
export function ffmpegService(
  options: Pick<DefaultServicesOptions, 'ffmpegPath' | 'resourcesDir'> & {
    /** Where what a binary can do is remembered (machineCacheDir: every data folder shares it). */
    cacheDir: string;
  },
): PipelineServices['ffmpeg'] {
  return memoizeSuccess(async () => {
    const location = await locateFfmpeg({
      ...(options.ffmpegPath ? { configuredPath: options.ffmpegPath } : {}),
      bundledDir: join(options.resourcesDir, 'bin'),
    });
    const probe = await probeFfmpeg(location.ffmpegPath, {
      cacheFile: join(options.cacheDir, FFMPEG_PROBE_CACHE),
    });
    return { location, probe };
  });
}

/** The real outside world: ffmpeg found on this machine, the offline voice, presets from the database. */
export function createDefaultServices(
  options: DefaultServicesOptions & { ffmpeg: PipelineServices['ffmpeg'] },
): PipelineServices {
  // One offline voice for every step and job (it remembers its version and voice list); looked for
  // again after it was not found.
  const offlineSynthesizer = memoizeSuccess(async () => {
    const voice = createOfflineSynthesizer();
    if (!(await voice.available())) {
      throw new StepError(
        'fatal',
        `no offline voice: install espeak-ng (Linux) or use macOS's say (${voice.id} not found)`,
      );
    }
    return voice;
  });
  return {
    resourcesDir: options.resourcesDir,
    dataDir: options.dataDir,
    blobPath: (sha256) => options.blobs.pathFor(sha256),
    ffmpeg: options.ffmpeg,
    offlineSynthesizer,
    // The cloud SDKs are loaded only when a job needs them: they double the CLI's start-up time.
    async azureSpeech() {
      const key = options.secrets.get('azure.speechKey');
      const region = options.secrets.get('azure.speechRegion');
      if (!key || !(region || options.azureSpeechHost)) return undefined;
      const { createAzureSpeech } = await import('../speech/azure/azure-speech.ts');
      return createAzureSpeech({
        key,
        ...(region ? { region } : {}),
        ...(options.azureSpeechHost ? { host: options.azureSpeechHost } : {}),
      });
    },
    async textGenerator() {
      const apiKey = options.secrets.get('anthropic.apiKey');
      if (!apiKey) return undefined;
      const { createClaudeGenerator } = await import('../llm/claude-generator.ts');
      return createClaudeGenerator({
        apiKey,
        ...(options.anthropicBaseUrl ? { baseURL: options.anthropicBaseUrl } : {}),
      });
    },
    voiceNamesOf(slug) {
      return options.db.select().from(voicePresets).where(eq(voicePresets.slug, slug)).get()?.voiceNames;
    },
    ...(options.encoderThreads ? { encoderThreads: options.encoderThreads } : {}),
    ...(options.encodeRunnerPath ? { encodeRunnerPath: options.encodeRunnerPath } : {}),
    ...(options.startEncodeRunner ? { startEncodeRunner: options.startEncodeRunner } : {}),
    ...(options.farm ? { farm: options.farm } : {}),
    localParts: options.localParts ?? (() => localPartsSetting.read(options.db) ?? defaultLocalParts()),
  };
}
