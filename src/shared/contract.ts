/**
 * The one typed contract between the UI and a node: the same handler map is served over Electron IPC
 * (preload → main) and over HTTP (`POST /api/v1/call/:method`), and events arrive as one stream.
 * Expected failures come back as values (`{ ok: false, error }`), never as thrown exceptions.
 */

export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
export type StepStatus = 'pending' | 'running' | 'done' | 'failed' | 'cancelled';

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
  /** A rough length from the words and pauses, before any speech is made. */
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
}

export type Method = keyof VfoHandlers;
export type ArgsOf<M extends Method> = Parameters<VfoHandlers[M]>[0];
export type ResultOf<M extends Method> = ReturnType<VfoHandlers[M]>;

export interface CallError {
  /** e.g. 'not-found', 'invalid', 'unauthorized', 'internal'. */
  code: string;
  message: string;
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
];
