/**
 * The one typed contract between the UI and a node: the same handler map is served over Electron IPC
 * (preload → main) and over HTTP (`POST /api/v1/call/:method`), and events arrive as one stream.
 * Expected failures come back as values (`{ ok: false, error }`), never as thrown exceptions.
 */

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

/** A located problem, printed as `file:line:col: severity: message`. Lines and columns are 1-based. */
export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  severity: 'error' | 'warning';
  message: string;
}

export interface StepSummary {
  key: string;
  kind: string;
  status: StepStatus;
  reused: boolean;
  attempts: number;
  progress: number;
  error: string | null;
  errorKind: string | null;
  startedAt: string | null;
  completedAt: string | null;
}

export interface ArtifactSummary {
  id: string;
  step: string;
  name: string;
  type: string;
  sha256: string;
  size: number;
}

export interface JobSummary {
  id: string;
  title: string;
  status: JobStatus;
  recipe: { slug: string; version: number };
  output: string | null;
  error: string | null;
  warnings: string[];
  createdAt: string;
  updatedAt: string;
  steps: StepSummary[];
}

export interface JobDetail extends JobSummary {
  artifacts: ArtifactSummary[];
  logs: Record<string, string>;
}

export interface ScriptUpload {
  /** File name as dropped, e.g. "intro.md". */
  name: string;
  text: string;
}

export interface ScriptCheck {
  name: string;
  ok: boolean;
  diagnostics: Diagnostic[];
  title: string | null;
  scenes: { title: string; sentences: number }[];
  /** The estimated narration length (words at the voice's rate, pauses, gaps), before any speech is made. */
  estimatedSeconds: number;
}

export type ImportOutcome =
  | { name: string; queued: true; jobId: string; check: ScriptCheck }
  | { name: string; queued: false; check: ScriptCheck };

export interface NodeView {
  id: string;
  name: string;
  role: 'coordinator' | 'worker' | 'candidate';
  status: 'online' | 'offline' | 'paused' | 'draining';
  url: string;
  capabilities: { encoders: string[]; cores: number; slots: number };
  running: number;
}

export interface FarmStatus {
  self: string;
  coordinator: { id: string; url: string; term: number } | null;
  nodes: NodeView[];
  ignored: { name: string; reason: string }[];
  queue: { queued: number; running: number; done: number; failed: number };
}

export interface ProviderStatus {
  anthropic: boolean;
  azureSpeech: boolean;
}

export interface RecipeView {
  slug: string;
  name: string;
  description: string;
  activeVersion: number | null;
  latestVersion: number;
}

export interface PresetView {
  slug: string;
  name: string;
  kind: 'voice' | 'video';
  summary: string;
}

export interface PromptView {
  slug: string;
  activeVersion: number | null;
  latestVersion: number;
  model: string;
  maxTokens: number;
  temperature: number | null;
}

/** Every field of one prompt version: what the editor shows and saves as the next version. */
export interface PromptDetail extends PromptView {
  /** The version whose fields these are: the active one, else the latest. */
  shownVersion: number;
  systemPrompt: string;
  userTemplate: string;
  kbTiers: string[];
}

export interface PromptInput {
  slug: string;
  systemPrompt: string;
  userTemplate: string;
  model: string;
  maxTokens: number;
  temperature: number | null;
  kbTiers: string[];
  /** Make the new version the one new jobs use. */
  activate: boolean;
}

export interface VoicePresetFields {
  slug: string;
  name: string;
  provider: 'offline' | 'azure';
  /** Synthesizer id → voice name, e.g. { "espeak-ng": "en-us" }. */
  voiceNames: Record<string, string>;
  language: string;
  prosody: { rate?: string; pitch?: string };
  style: string | null;
  styleDegree: number | null;
  role: string | null;
  /** The stage-direction vocabulary (JSON), validated by the node. */
  directionMap: unknown;
}

export interface VideoPresetFields {
  slug: string;
  name: string;
  encoders: string[];
  width: number;
  height: number;
  fps: number;
  bitrate: string;
  crf: number | null;
  speedPreset: string | null;
  pixelFormat: 'yuv420p' | 'nv12';
  audioCodec: 'aac';
  audioBitrate: string;
  audioSampleRate: number;
}

/** Settings a node shows. Provider keys are never part of it: only whether each provider is ready. */
export interface SettingsView {
  /** The ffmpeg chosen in Settings; null means it is searched for. */
  ffmpegPath: string | null;
  providers: ProviderStatus;
  dataDir: string;
  /** A farm video is split into segments only if each can last this long; null: videos render whole. */
  minSegmentSeconds: number | null;
}

/** Every call the UI can make: name → (arguments) => result. */
export interface VfoHandlers {
  'jobs.list': (args: { limit?: number }) => JobSummary[];
  'jobs.get': (args: { id: string }) => JobDetail;
  'jobs.retry': (args: { id: string; fromStep?: string }) => JobSummary;
  'jobs.cancel': (args: { id: string }) => JobSummary;
  'scripts.check': (args: { script: ScriptUpload }) => ScriptCheck;
  'scripts.import': (args: {
    scripts: ScriptUpload[];
    recipe?: string;
    videoPreset?: string;
  }) => ImportOutcome[];
  'farm.status': (args: Record<string, never>) => FarmStatus;
  'farm.setPaused': (args: { paused: boolean }) => { paused: boolean };
  'library.recipes': (args: Record<string, never>) => RecipeView[];
  'library.presets': (args: Record<string, never>) => PresetView[];
  'library.prompts': (args: Record<string, never>) => PromptView[];
  'settings.providers': (args: Record<string, never>) => ProviderStatus;
  'library.prompt': (args: { slug: string }) => PromptDetail;
  'library.savePrompt': (args: PromptInput) => PromptView;
  'library.voicePreset': (args: { slug: string }) => VoicePresetFields;
  'library.saveVoicePreset': (args: VoicePresetFields) => PresetView;
  'library.videoPreset': (args: { slug: string }) => VideoPresetFields;
  'library.saveVideoPreset': (args: VideoPresetFields) => PresetView;
  'library.activateRecipe': (args: { slug: string; version: number }) => RecipeView;
  'settings.get': (args: Record<string, never>) => SettingsView;
  'settings.setFfmpegPath': (args: { path: string | null }) => SettingsView;
  'settings.setMinSegmentSeconds': (args: { seconds: number }) => SettingsView;
  /** App only: a provider key into the Keychain-backed store (an empty value removes it). */
  'settings.setSecret': (args: {
    name: 'anthropic.apiKey' | 'azure.speechKey' | 'azure.speechRegion';
    value: string;
  }) => SettingsView;
}

export type Method = keyof VfoHandlers;
export type ArgsOf<M extends Method> = Parameters<VfoHandlers[M]>[0];
export type ResultOf<M extends Method> = ReturnType<VfoHandlers[M]>;

/** One problem with one input field, so a form can show it next to that field. */
export interface FieldIssue {
  /** Dotted path into the arguments, e.g. "crf" or "prosody.rate"; "(input)" for the whole. */
  field: string;
  message: string;
}

export interface CallError {
  /** e.g. 'not-found', 'invalid', 'unauthorized', 'internal'. */
  code: string;
  message: string;
  /** With 'invalid': every field that broke a rule. */
  issues?: FieldIssue[];
}

export type CallResult<M extends Method> = { ok: true; value: ResultOf<M> } | { ok: false; error: CallError };

/** Live updates for the UI: the engine's and the farm's, never polled. */
export type VfoEvent =
  | { type: 'job'; jobId: string; status: JobStatus; error?: string; outputPath?: string }
  | { type: 'step'; jobId: string; stepKey: string; status: StepStatus; reused?: boolean; error?: string }
  | { type: 'progress'; jobId: string; stepKey: string; fraction: number }
  | { type: 'warning'; jobId: string; message: string }
  | { type: 'farm'; status: FarmStatus };

/** What the renderer holds: the same API whether it runs in the app or in a browser on the LAN. */
export interface VfoClient {
  call<M extends Method>(method: M, args: ArgsOf<M>): Promise<CallResult<M>>;
  subscribe(listener: (event: VfoEvent) => void): () => void;
  /** A URL the <video> element can play for a finished job. */
  videoUrl(jobId: string): string;
}

/**
 * What the preload exposes to the app's window as `window.vfoBridge` (Electron IPC underneath).
 * `pathForFile` gives a dropped File's path on disk (Electron's webUtils.getPathForFile).
 */
export interface VfoBridge {
  call<M extends Method>(method: M, args: ArgsOf<M>): Promise<CallResult<M>>;
  subscribe(listener: (event: VfoEvent) => void): () => void;
  videoUrl(jobId: string): string;
  pathForFile(file: File): string;
}

export const METHODS: readonly Method[] = [
  'jobs.list',
  'jobs.get',
  'jobs.retry',
  'jobs.cancel',
  'scripts.check',
  'scripts.import',
  'farm.status',
  'farm.setPaused',
  'library.recipes',
  'library.presets',
  'library.prompts',
  'settings.providers',
  'library.prompt',
  'library.savePrompt',
  'library.voicePreset',
  'library.saveVoicePreset',
  'library.videoPreset',
  'library.saveVideoPreset',
  'library.activateRecipe',
  'settings.get',
  'settings.setFfmpegPath',
  'settings.setMinSegmentSeconds',
  'settings.setSecret',
];

/**
 * Calls only the app on the Mac itself may make (over IPC), never a browser on the LAN: choosing which
 * executable runs as ffmpeg is choosing what code runs on that Mac.
 */
export const LOCAL_ONLY_METHODS: readonly Method[] = ['settings.setFfmpegPath', 'settings.setSecret'];

/** Whether a method may be called over the node's HTTP API. */
export function callableOverHttp(method: string): method is Method {
  return (METHODS as readonly string[]).includes(method) && !LOCAL_ONLY_METHODS.includes(method as Method);
}
