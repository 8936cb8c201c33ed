import type { ProgressRate } from '../../shared/progress-rate.ts';
import type { RenderPlan } from '../../shared/render-plan.ts';
import type { FfmpegLocation, FfmpegProbe, RunnerChannel } from '../ffmpeg/index.ts';
import type { TextGenerator } from '../llm/types.ts';
import type { LocalParts } from '../settings/index.ts';
import type { AzureSpeech } from '../speech/azure/azure-speech.ts';
import type { SpeechSynthesizer } from '../speech/index.ts';

/** What the encode step asks of the farm (see farm/node/farm-encode.ts). */
export interface FarmEncodeRequest {
  jobId: string;
  plan: RenderPlan;
  planSha256: string;
  /** The step's scratch folder (a video joined from segments is written there). */
  workDir: string;
  signal: AbortSignal;
  /** How far the farm is with this video, and how fast its workers go (all segments together). */
  onProgress?: (fraction: number, rate?: ProgressRate) => void;
}

export interface FarmEncodeResult {
  path: string;
  sha256: string;
  encoder: string;
  /** How many segments the video was encoded in (1: whole). */
  segments: number;
  /** The worker's first encoder failed at run time; `encoder` is the plan's next one. */
  fallback?: { from: string; reason: string };
}

/** Where a farm node's encode step sends its plans (see farm/node/farm-encode.ts). */
export interface FarmEncodeService {
  encode(request: FarmEncodeRequest): Promise<FarmEncodeResult>;
}

/**
 * What the built-in step kinds need from the outside world, as narrow seams: tests and the desktop
 * app pass their own (a counting synthesizer, a configured ffmpeg path, the app's resources folder).
 */
export interface PipelineServices {
  resourcesDir: string;
  /** The data folder: no script's media is ever read from it (database, keys, blobs). */
  dataDir: string;
  /** Path of a stored blob by checksum (the engine's content-addressed store). */
  blobPath(sha256: string): string;
  ffmpeg(): Promise<{ location: FfmpegLocation; probe: FfmpegProbe }>;
  /** The offline voice: `say` on a Mac, espeak-ng elsewhere. */
  offlineSynthesizer(): Promise<SpeechSynthesizer>;
  /** Azure neural voices, when a key and a region (or host) are configured. */
  azureSpeech(): Promise<AzureSpeech | undefined>;
  /** Claude, when a key is configured; undefined otherwise (the step then fails with a clear message). */
  textGenerator(): Promise<TextGenerator | undefined>;
  /** A voice preset's voice names by synthesizer id, for [voice SLUG] directions. */
  voiceNamesOf(slug: string): Record<string, string> | undefined;
  /** The encode runner process entry when not the source one (the bundled CLI, the app). */
  encodeRunnerPath?: string;
  /** Starts the encode runner (the app: an Electron utility process); child_process.fork when absent. */
  startEncodeRunner?: (runnerPath: string) => RunnerChannel;
  /**
   * Set when this machine is a farm node: the encode step then sends its plan to the farm and waits
   * for the verified video to come back here, instead of encoding in-process.
   */
  farm?: FarmEncodeService;
  /** Encoder threads for ffmpeg (undefined = ffmpeg decides). */
  encoderThreads?: number;
  /** How many parts a video is encoded in on this machine, read for each video (absent: whole). */
  localParts?: () => LocalParts;
}
