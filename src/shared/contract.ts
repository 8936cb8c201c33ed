/**
 * The one typed contract between the UI and a node: one table of methods, each with a zod schema for
 * its arguments and its result. The method list, the TypeScript types and both transports (Electron IPC
 * and `POST /api/v1/call/:method`) derive from it, and one dispatcher (src/main/api/dispatch.ts) checks
 * every call's arguments against it before a handler runs. Expected failures come back as values
 * (`{ ok: false, error }`), never as thrown exceptions. Events arrive as one stream.
 */
import { z } from 'zod';
import { CaptionStyleSchema } from './caption-styles.ts';
import { VideoPresetSchema, VoicePresetSchema } from './presets.ts';
import { type ProgressRate, ProgressRateSchema } from './progress-rate.ts';

const id = z.string().min(1).max(64);
const slug = z.string().min(1).max(80);
const text = (max: number) => z.string().max(max);
/** ISO-8601 timestamps as the engine records them. */
const timestamp = z.string().max(40);

export const JobStatusSchema = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);
export type JobStatus = z.infer<typeof JobStatusSchema>;
export const StepStatusSchema = z.enum(['pending', 'running', 'done', 'failed', 'cancelled']);
export type StepStatus = z.infer<typeof StepStatusSchema>;

/** A located problem, printed as `file:line:col: severity: message`. Lines and columns are 1-based. */
export const DiagnosticSchema = z.object({
  file: z.string(),
  line: z.number().int().min(1),
  col: z.number().int().min(1),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
});
export type Diagnostic = z.infer<typeof DiagnosticSchema>;

export const StepSummarySchema = z.object({
  key: z.string(),
  kind: z.string(),
  status: StepStatusSchema,
  reused: z.boolean(),
  attempts: z.number().int(),
  progress: z.number(),
  error: z.string().nullable(),
  errorKind: z.string().nullable(),
  startedAt: timestamp.nullable(),
  completedAt: timestamp.nullable(),
  /** While an encode runs: how fast and when it will be done (live, from progress events; never stored). */
  rate: ProgressRateSchema.optional(),
});
export type StepSummary = z.infer<typeof StepSummarySchema>;

export const ArtifactSummarySchema = z.object({
  id: z.string(),
  step: z.string(),
  name: z.string(),
  type: z.string(),
  sha256: z.string(),
  size: z.number().int(),
});
export type ArtifactSummary = z.infer<typeof ArtifactSummarySchema>;

/** A job's priority: higher runs first on the farm, equal ones oldest first (`vfo submit --priority`). */
export const PRIORITY_LIMIT = 1000;

/** A job's id (a UUID) as a path or a reply may carry it. */
export const JOB_ID_PATTERN = /^[0-9a-f-]{36}$/;
export const PrioritySchema = z
  .number()
  .int('priority must be a whole number')
  .min(-PRIORITY_LIMIT, `priority must be from -${PRIORITY_LIMIT} to ${PRIORITY_LIMIT}`)
  .max(PRIORITY_LIMIT, `priority must be from -${PRIORITY_LIMIT} to ${PRIORITY_LIMIT}`);

export const JobSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  status: JobStatusSchema,
  priority: z.number().int(),
  recipe: z.object({ slug: z.string(), version: z.number().int() }),
  output: z.string().nullable(),
  error: z.string().nullable(),
  warnings: z.array(z.string()),
  createdAt: timestamp,
  updatedAt: timestamp,
  steps: z.array(StepSummarySchema),
});
export type JobSummary = z.infer<typeof JobSummarySchema>;

export const JobDetailSchema = JobSummarySchema.extend({
  artifacts: z.array(ArtifactSummarySchema),
  logs: z.record(z.string(), z.string()),
});
export type JobDetail = z.infer<typeof JobDetailSchema>;

/** Scripts one `scripts.import` call takes: a larger drop is sent in several calls. */
export const SCRIPTS_PER_IMPORT = 200;

/**
 * The most one call's JSON body may hold over HTTP (the node refuses a larger one with 413): room for
 * the longest prompt the Library takes, two texts of 200,000 UTF-16 units at up to 3 bytes each in
 * UTF-8. At 1 MiB, a prompt within its limits written in Japanese could not be saved.
 */
export const MAX_CALL_BODY_BYTES = 2 * 1024 * 1024;

/**
 * Scripts split into the calls that carry them: at most SCRIPTS_PER_IMPORT a call, and no more of
 * their bytes (`bytesOf`, as JSON) than a body takes, with room for the rest of the call: six dropped
 * scripts of 200 KB were sent in one call, refused whole with 413, and none was queued.
 */
export function importBatches<T>(items: readonly T[], bytesOf: (item: T) => number): T[][] {
  const budget = MAX_CALL_BODY_BYTES - 64 * 1024;
  const batches: T[][] = [];
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = bytesOf(item) + 1;
    if (batch.length > 0 && (batch.length === SCRIPTS_PER_IMPORT || bytes + size > budget)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}

/** Bounds on the media that travel with a script (each is uploaded on its own, by sha256, first). */
export const MEDIA_LIMITS = {
  /** Files one script may bring. */
  maxFiles: 500,
  /** One file: a long clip fits; the node's disk budget and gc handle the rest. */
  maxBytes: 4 * 1024 ** 3,
  maxPathLength: 1024,
} as const;

/** The file types a script may name as media, by kind (one list for the engine and the drop zone). */
export const MEDIA_EXTENSIONS = {
  image: ['.png', '.jpg', '.jpeg', '.webp'],
  clip: ['.mp4', '.mov', '.m4v', '.webm', '.mkv'],
  music: ['.mp3', '.m4a', '.wav', '.flac'],
} as const;

export const Sha256Schema = z.string().regex(/^[0-9a-f]{64}$/, 'sha256 must be 64 lower-case hex digits');

/**
 * A media path as it travels: relative to the script's folder, in its one canonical form
 * ("fotos/x.png", never "./fotos//x.png", "../x.png" or "/x.png"), so it names one place inside the folder.
 */
export function isCanonicalMediaPath(path: string): boolean {
  if (path.length === 0 || path.length > MEDIA_LIMITS.maxPathLength) return false;
  if (path.includes('\\') || path.includes('\0') || path.startsWith('/')) return false;
  return path.split('/').every((part) => part !== '' && part !== '.' && part !== '..' && part.length <= 255);
}

/** A media path as written ("./fotos//x.png") in its canonical form ("fotos/x.png"); null when it leaves the folder. */
export function canonicalMediaPath(written: string): string | null {
  if (written.includes('\\') || written.includes('\0') || written.startsWith('/')) return null;
  const parts: string[] = [];
  for (const part of written.split('/')) {
    if (part === '' || part === '.') continue;
    if (part !== '..') parts.push(part);
    else if (parts.pop() === undefined) return null;
  }
  const path = parts.join('/');
  return isCanonicalMediaPath(path) ? path : null;
}

export const MediaPathSchema = z
  .string()
  .refine(isCanonicalMediaPath, 'a media path is relative to the script’s folder, like "fotos/x.png"');

/**
 * The files sent with a script, by their path relative to its folder. A "__proto__" key (JSON.parse
 * makes it an own key) is refused: zod's record skips it, so a file declared that way would vanish
 * from the manifest instead of being waited for.
 */
const MediaFileSchema = z.strictObject({
  sha256: Sha256Schema,
  size: z.number().int().min(0).max(MEDIA_LIMITS.maxBytes),
});
export const MediaManifestSchema = z
  .custom<Record<string, z.input<typeof MediaFileSchema>>>(
    (value) => !(typeof value === 'object' && value !== null && Object.hasOwn(value, '__proto__')),
    'a media path cannot be "__proto__"',
  )
  .pipe(z.record(MediaPathSchema, MediaFileSchema))
  .refine(
    (files) => Object.keys(files).length <= MEDIA_LIMITS.maxFiles,
    `at most ${MEDIA_LIMITS.maxFiles} media files`,
  );
export type MediaManifest = z.infer<typeof MediaManifestSchema>;

export const ScriptUploadSchema = z.strictObject({
  /** File name as dropped, e.g. "intro.md". */
  name: z.string().min(1).max(255),
  /** The script's text (the farm's and the engine's own limits apply after this bound). */
  text: text(2 * 1024 * 1024),
  /** Media sent with it (uploaded before, by sha256), placed in its folder at these paths. */
  media: MediaManifestSchema.optional(),
});
export type ScriptUpload = z.infer<typeof ScriptUploadSchema>;

/** A media file a script names, as written, where, and whether it is there (or will be, once sent). */
export const MediaUseSchema = z.object({
  kind: z.enum(['image', 'clip', 'music']),
  path: z.string(),
  line: z.number().int().min(1),
  col: z.number().int().min(1),
  found: z.boolean(),
});
export type MediaUse = z.infer<typeof MediaUseSchema>;

export const ScriptCheckSchema = z.object({
  name: z.string(),
  ok: z.boolean(),
  diagnostics: z.array(DiagnosticSchema),
  /** Every media file it names, found or missing: the preview lists them before anything is queued. */
  media: z.array(MediaUseSchema),
  title: z.string().nullable(),
  scenes: z.array(z.object({ title: z.string(), sentences: z.number().int() })),
  /** The estimated narration length (words at the voice's rate, pauses, gaps), before any speech is made. */
  estimatedSeconds: z.number(),
});
export type ScriptCheck = z.infer<typeof ScriptCheckSchema>;

export const ImportOutcomeSchema = z.discriminatedUnion('queued', [
  z.object({ name: z.string(), queued: z.literal(true), jobId: z.string(), check: ScriptCheckSchema }),
  z.object({ name: z.string(), queued: z.literal(false), check: ScriptCheckSchema }),
]);
export type ImportOutcome = z.infer<typeof ImportOutcomeSchema>;

export const NodeViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The node the farm elected runs the queue; every other node is a worker (the coordinator encodes too). */
  role: z.enum(['coordinator', 'worker']),
  /**
   * `yielding`: outside its render hours, its user is at it, or its disk is nearly full; `incompatible`:
   * it speaks another farm protocol and gets no work.
   */
  status: z.enum(['online', 'offline', 'paused', 'draining', 'yielding', 'incompatible']),
  /** Why it takes no work now (yielding, incompatible), or null. */
  reason: z.string().nullable(),
  /** The app's version and the farm protocol it speaks; null when it did not say (an older node). */
  version: z.string().nullable(),
  protocol: z.number().int().nullable(),
  url: z.string(),
  capabilities: z.object({ encoders: z.array(z.string()), cores: z.number(), slots: z.number() }),
  running: z.number().int(),
});
export type NodeView = z.infer<typeof NodeViewSchema>;

/**
 * Something about the farm a person should know (seed 002's monitoring): a backlog (critical), a render
 * running too long (warning), the daily summary (info). Raised by the coordinator; `id` is stable while
 * the condition lasts, so the same alert is never announced twice.
 */
export const AlertSchema = z.object({
  id: z.string().max(200),
  severity: z.enum(['critical', 'warning', 'info']),
  kind: z.enum(['queue-backlog', 'long-render', 'daily-summary']),
  message: z.string().max(2000),
  /** When the condition began (ms since the epoch). */
  since: z.number(),
  /** The figures behind the message (counts, seconds, ids), for the webhook and the UI. */
  details: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
});
export type Alert = z.infer<typeof AlertSchema>;

/** One encode running somewhere on the farm: who encodes what, how far, how fast. */
export const RunningEncodeSchema = z.object({
  taskId: z.string(),
  jobId: z.string(),
  originNodeId: z.string(),
  workerId: z.string(),
  /** When the worker was given it (ms since the epoch). */
  startedAt: z.number(),
  progress: z.number(),
  rate: ProgressRateSchema.optional(),
});
export type RunningEncode = z.infer<typeof RunningEncodeSchema>;

export const TASK_ID_PATTERN = /^[0-9a-f]{64}$/;

/** One task of the coordinator's queue (unfinished, or failed within the hour). */
export const FarmTaskViewSchema = z.object({
  id: z.string(),
  jobId: z.string(),
  originNodeId: z.string(),
  originName: z.string().nullable(),
  status: z.enum(['queued', 'leased', 'done', 'failed']),
  priority: z.number().int(),
  createdAt: z.number(),
  attempts: z.number().int(),
  workerId: z.string().nullable(),
  workerName: z.string().nullable(),
  progress: z.number().nullable(),
  lastError: z.string().nullable(),
  segment: z.object({ index: z.number().int(), count: z.number().int() }).nullable(),
});
export type FarmTaskView = z.infer<typeof FarmTaskViewSchema>;

/**
 * What the coordinator's queue view shows at most (the Farm view's tables), and how much of a failure's
 * text a task keeps: one declaration for the coordinator that cuts and the nodes that check its answer.
 */
export const QUEUE_VIEW_LIMITS = { tasks: 200, blocks: 200, errorChars: 2000 } as const;

/** A worker that failed too many tasks of one job and gets no more of them until cleared. */
export const FarmBlockSchema = z.object({
  originNodeId: z.string(),
  jobId: z.string(),
  workerId: z.string(),
  workerName: z.string().nullable(),
  failures: z.number().int(),
  lastError: z.string(),
  updatedAt: z.number(),
});
export type FarmBlock = z.infer<typeof FarmBlockSchema>;

export const FarmStatusSchema = z.object({
  self: z.string(),
  coordinator: z.object({ id: z.string(), url: z.string(), term: z.number().int() }).nullable(),
  nodes: z.array(NodeViewSchema),
  ignored: z.array(z.object({ name: z.string(), reason: z.string() })),
  queue: z.object({
    /** Where the farm's queue lives: the elected coordinator's SQLite (`lan`) or Redis (`redis`). */
    backend: z.enum(['lan', 'redis']),
    /** Tasks waiting for a worker (a scale-up hook reads this). */
    queued: z.number().int(),
    running: z.number().int(),
    done: z.number().int(),
    failed: z.number().int(),
  }),
  /** The coordinator's tasks (empty while no coordinator answers). */
  tasks: z.array(FarmTaskViewSchema),
  blocks: z.array(FarmBlockSchema),
  /** Tasks of one job a worker may fail before it is blocked for that job (`farm.blocklist`). */
  blockLimit: z.number().int(),
  /** The coordinator's alerts now in force (empty while no coordinator is known). */
  alerts: z.array(AlertSchema),
  /** Every encode running on the farm, from the coordinator. */
  encodes: z.array(RunningEncodeSchema),
});
export type FarmStatus = z.infer<typeof FarmStatusSchema>;

/** One attempt of a farm task that ended: who encoded what, when and for how long. */
export const TaskRunSchema = z.object({
  taskId: z.string(),
  jobId: z.string(),
  originNodeId: z.string(),
  workerId: z.string(),
  startedAt: z.number(),
  endedAt: z.number(),
  /** done; failed for good; retried (the attempt was lost and the task went back to the queue). */
  outcome: z.enum(['done', 'failed', 'retried']),
  /** How much video the task was (a segment's share, or the whole video). */
  videoSeconds: z.number(),
  /** The segment's index, or null for a whole video. */
  segment: z.number().int().nullable(),
});
export type TaskRun = z.infer<typeof TaskRunSchema>;

/** The queue's length at one moment, as the coordinator sampled it. */
export const QueueSampleSchema = z.object({
  at: z.number(),
  queued: z.number().int(),
  running: z.number().int(),
});
export type QueueSample = z.infer<typeof QueueSampleSchema>;

/** How much history one answer carries at most (the newest runs and samples of the span asked for). */
export const HISTORY_LIMITS = { runs: 10_000, samples: 5_000 } as const;

/** The farm's recent history, as the coordinator kept it (SQLite, with a retention). */
export const FarmHistorySchema = z.object({
  /** The coordinator whose records these are (history stays with the node that coordinated). */
  coordinatorId: z.string(),
  from: z.number(),
  to: z.number(),
  samples: z.array(QueueSampleSchema),
  runs: z.array(TaskRunSchema),
});
export type FarmHistory = z.infer<typeof FarmHistorySchema>;

export const ProviderStatusSchema = z.object({ anthropic: z.boolean(), azureSpeech: z.boolean() });
export type ProviderStatus = z.infer<typeof ProviderStatusSchema>;

export const RecipeViewSchema = z.object({
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  activeVersion: z.number().int().nullable(),
  latestVersion: z.number().int(),
});
export type RecipeView = z.infer<typeof RecipeViewSchema>;

export const PresetViewSchema = z.object({
  slug: z.string(),
  name: z.string(),
  kind: z.enum(['voice', 'video']),
  summary: z.string(),
});
export type PresetView = z.infer<typeof PresetViewSchema>;

export const PromptViewSchema = z.object({
  slug: z.string(),
  activeVersion: z.number().int().nullable(),
  latestVersion: z.number().int(),
  model: z.string(),
  maxTokens: z.number().int(),
  temperature: z.number().nullable(),
});
export type PromptView = z.infer<typeof PromptViewSchema>;

/** Every field of one prompt version: what the editor shows and saves as the next version. */
export const PromptDetailSchema = PromptViewSchema.extend({
  /** The version whose fields these are: the active one, else the latest. */
  shownVersion: z.number().int(),
  systemPrompt: z.string(),
  userTemplate: z.string(),
  kbTiers: z.array(z.string()),
});
export type PromptDetail = z.infer<typeof PromptDetailSchema>;

/** The shape of a new prompt version; the library checks its rules (templates, models, limits). */
export const PromptInputSchema = z.strictObject({
  slug,
  systemPrompt: text(200_000),
  userTemplate: text(200_000),
  model: text(200),
  maxTokens: z.number().int(),
  temperature: z.number().nullable(),
  kbTiers: z.array(text(40)).max(20),
  /** Make the new version the one new jobs use. */
  activate: z.boolean(),
});
export type PromptInput = z.infer<typeof PromptInputSchema>;

/** A voice preset as the UI edits it (the shape is the Library's own: src/shared/presets.ts). */
export const VoicePresetFieldsSchema = VoicePresetSchema;
export type VoicePresetFields = z.infer<typeof VoicePresetFieldsSchema>;
export const VideoPresetFieldsSchema = VideoPresetSchema;
export type VideoPresetFields = z.infer<typeof VideoPresetFieldsSchema>;
/**
 * When a preset was last saved, as an editor opened it; a save that sends it back is refused
 * ('conflict') when the preset was saved again in between (the second save undid the first's change).
 */
const savedAt = z.string().max(40);
export const OpenedVoicePresetSchema = VoicePresetFieldsSchema.extend({ savedAt });
export type OpenedVoicePreset = z.infer<typeof OpenedVoicePresetSchema>;
export const OpenedVideoPresetSchema = VideoPresetFieldsSchema.extend({ savedAt });
export type OpenedVideoPreset = z.infer<typeof OpenedVideoPresetSchema>;

/** A caption style in the Library's list: the version in use and the newest. */
export const CaptionStyleViewSchema = z.object({
  slug: z.string(),
  name: z.string(),
  summary: z.string(),
  activeVersion: z.number().int().nullable(),
  latestVersion: z.number().int(),
});
export type CaptionStyleView = z.infer<typeof CaptionStyleViewSchema>;

/** A caption style as the UI edits it (the shape is the Library's own: src/shared/caption-styles.ts). */
export const CaptionStyleFieldsSchema = CaptionStyleSchema;
export type CaptionStyleFields = z.infer<typeof CaptionStyleFieldsSchema>;

/** One version's fields (the active one, else the latest), for the editor. */
export const CaptionStyleDetailSchema = CaptionStyleViewSchema.extend({
  shownVersion: z.number().int(),
  fields: CaptionStyleFieldsSchema,
});
export type CaptionStyleDetail = z.infer<typeof CaptionStyleDetailSchema>;

/** A new version of a caption style; `activate` makes it the one new jobs use. */
export const CaptionStyleInputSchema = CaptionStyleFieldsSchema.extend({ activate: z.boolean() });
export type CaptionStyleInput = z.infer<typeof CaptionStyleInputSchema>;

/** Settings a node shows. Provider keys are never part of it: only whether each provider is ready. */
export const SettingsViewSchema = z.object({
  /** The ffmpeg chosen in Settings; null means it is searched for. */
  ffmpegPath: z.string().nullable(),
  providers: ProviderStatusSchema,
  dataDir: z.string(),
  /** A farm video is split into segments only if each can last this long; null: videos render whole. */
  minSegmentSeconds: z.number().nullable(),
  /** How a video is encoded on this machine: in up to `parts` parts at once, each at least this long. */
  localParts: z.object({ parts: z.number(), minSegmentSeconds: z.number() }),
  /** When this node takes farm work, e.g. "22:00-07:00" (local time); null: any time. */
  renderHours: z.string().nullable(),
  /** Step back while someone uses this computer; null: never. */
  yieldToUser: z.object({ idleSeconds: z.number().int(), suspend: z.boolean() }).nullable(),
  /** Tasks of one job a worker may fail before it gets no more of that job (when this node coordinates). */
  blockLimit: z.number().int(),
  /** Where the farm's queue is kept from the next start: null on the LAN, else in this Redis. */
  farmQueue: z.object({ redisUrl: z.string(), advertiseUrl: z.string().nullable() }).nullable(),
  /** Where it is kept now (this run). */
  farmQueueNow: z.enum(['lan', 'redis']),
  /** Names besides its addresses, short and .local names that this node's UI answers to. */
  uiHosts: z.array(z.string()),
});
export type SettingsView = z.infer<typeof SettingsViewSchema>;

export const SECRET_NAMES = [
  'anthropic.apiKey',
  'azure.speechKey',
  'azure.speechRegion',
  'redis.password',
  'alerts.webhookSecret',
] as const;

const none = z.strictObject({});
const SECONDS_MESSAGE = 'seconds must be a number from 1 to 86400';
const PARTS_MESSAGE = 'parts must be a whole number from 1 to 16';

interface MethodSpec {
  args: z.ZodType;
  result: z.ZodType;
  /**
   * Only the app on the Mac itself may make this call (over IPC), never a browser on the LAN: choosing
   * which executable runs as ffmpeg is choosing what code runs on that Mac; keys never cross the network.
   */
  localOnly?: true;
}

/** Every call the UI can make. */
export const CONTRACT = {
  'jobs.list': {
    args: z.strictObject({ limit: z.number().int().min(1).max(500).optional() }),
    result: z.array(JobSummarySchema),
  },
  'jobs.get': { args: z.strictObject({ id }), result: JobDetailSchema },
  'jobs.retry': { args: z.strictObject({ id, fromStep: slug.optional() }), result: JobSummarySchema },
  'jobs.cancel': { args: z.strictObject({ id }), result: JobSummarySchema },
  /** A queued or running job's priority (its farm tasks follow). */
  'jobs.setPriority': { args: z.strictObject({ id, priority: PrioritySchema }), result: JobSummarySchema },
  'scripts.check': {
    args: z.strictObject({
      script: ScriptUploadSchema,
      /** Files the sender has and will send (not uploaded yet): they count as found. */
      files: z
        .array(MediaPathSchema)
        .max(MEDIA_LIMITS.maxFiles * 4)
        .optional(),
    }),
    result: ScriptCheckSchema,
  },
  /** Which of these files (by sha256) the node lacks: only those are uploaded (PUT /api/v1/media/:sha256). */
  'media.wanted': {
    args: z.strictObject({ sha256s: z.array(Sha256Schema).max(MEDIA_LIMITS.maxFiles * 4) }),
    result: z.object({ wanted: z.array(z.string()) }),
  },
  'scripts.import': {
    args: z.strictObject({
      scripts: z.array(ScriptUploadSchema).min(1).max(SCRIPTS_PER_IMPORT),
      recipe: slug.optional(),
      videoPreset: slug.optional(),
    }),
    result: z.array(ImportOutcomeSchema),
  },
  'farm.status': { args: none, result: FarmStatusSchema },
  /** The dashboard: queue length, throughput, who encoded what, render time per video-minute. */
  'farm.history': {
    args: z.strictObject({
      hours: z
        .number()
        .min(0.25)
        .max(24 * 31)
        .optional(),
    }),
    result: FarmHistorySchema,
  },
  'farm.setPaused': {
    args: z.strictObject({ paused: z.boolean() }),
    result: z.object({ paused: z.boolean() }),
  },
  /** Pause, resume or drain any node of the farm (this one, or another: a signed request to it). */
  'farm.control': {
    args: z.strictObject({ node: id, action: z.enum(['pause', 'resume', 'drain']) }),
    result: z.object({ node: z.string(), paused: z.boolean(), draining: z.boolean() }),
  },
  /** Requeue or cancel one task of the coordinator's queue. */
  'farm.task': {
    args: z.strictObject({
      task: z.string().regex(TASK_ID_PATTERN, 'a task id is 64 hex digits'),
      action: z.enum(['requeue', 'cancel']),
    }),
    result: z.object({ task: z.string(), result: z.string() }),
  },
  /** Let a blocked worker (or every worker) take the job's tasks again. */
  'farm.clearBlock': {
    args: z.strictObject({ originNodeId: id, jobId: id, workerId: id.optional() }),
    result: z.object({ cleared: z.number().int() }),
  },
  'library.recipes': { args: none, result: z.array(RecipeViewSchema) },
  'library.presets': { args: none, result: z.array(PresetViewSchema) },
  'library.prompts': { args: none, result: z.array(PromptViewSchema) },
  'settings.providers': { args: none, result: ProviderStatusSchema },
  'library.prompt': { args: z.strictObject({ slug }), result: PromptDetailSchema },
  'library.savePrompt': { args: PromptInputSchema, result: PromptViewSchema },
  'library.voicePreset': { args: z.strictObject({ slug }), result: OpenedVoicePresetSchema },
  'library.saveVoicePreset': {
    args: OpenedVoicePresetSchema.partial({ savedAt: true }),
    result: PresetViewSchema,
  },
  'library.videoPreset': { args: z.strictObject({ slug }), result: OpenedVideoPresetSchema },
  'library.saveVideoPreset': {
    args: OpenedVideoPresetSchema.partial({ savedAt: true }),
    result: PresetViewSchema,
  },
  'library.activateRecipe': {
    args: z.strictObject({ slug, version: z.number().int().min(1) }),
    result: RecipeViewSchema,
  },
  'library.captionStyles': { args: none, result: z.array(CaptionStyleViewSchema) },
  'library.captionStyle': { args: z.strictObject({ slug }), result: CaptionStyleDetailSchema },
  'library.saveCaptionStyle': { args: CaptionStyleInputSchema, result: CaptionStyleViewSchema },
  'library.activateCaptionStyle': {
    args: z.strictObject({ slug, version: z.number().int().min(1) }),
    result: CaptionStyleViewSchema,
  },
  'settings.get': { args: none, result: SettingsViewSchema },
  'settings.setFfmpegPath': {
    args: z.strictObject({ path: text(4096).nullable() }),
    result: SettingsViewSchema,
    localOnly: true,
  },
  'settings.setMinSegmentSeconds': {
    args: z.strictObject({
      seconds: z.number(SECONDS_MESSAGE).min(1, SECONDS_MESSAGE).max(86_400, SECONDS_MESSAGE),
    }),
    result: SettingsViewSchema,
  },
  'settings.setRenderHours': {
    args: z.strictObject({ hours: text(200).nullable() }),
    result: SettingsViewSchema,
  },
  'settings.setUiHosts': {
    args: z.strictObject({ hosts: z.array(text(253)).max(50) }),
    result: SettingsViewSchema,
  },
  'settings.setYieldToUser': {
    args: z.strictObject({
      yieldToUser: z
        .strictObject({
          idleSeconds: z
            .number()
            .int('idle seconds must be a whole number')
            .min(10, 'idle seconds must be from 10 to 86400')
            .max(86_400, 'idle seconds must be from 10 to 86400'),
          suspend: z.boolean(),
        })
        .nullable(),
    }),
    result: SettingsViewSchema,
  },
  'settings.setBlockLimit': {
    args: z.strictObject({
      maxTaskFailures: z
        .number()
        .int('the limit must be a whole number')
        .min(1, 'the limit must be from 1 to 100')
        .max(100, 'the limit must be from 1 to 100'),
    }),
    result: SettingsViewSchema,
  },
  'settings.setLocalParts': {
    args: z.strictObject({
      parts: z.int(PARTS_MESSAGE).min(1, PARTS_MESSAGE).max(16, PARTS_MESSAGE),
      minSegmentSeconds: z.number(SECONDS_MESSAGE).min(1, SECONDS_MESSAGE).max(86_400, SECONDS_MESSAGE),
    }),
    result: SettingsViewSchema,
  },
  /** App only: a provider key into the Keychain-backed store (an empty value removes it). */
  /**
   * App only: keep the farm's queue in Redis (null: on the LAN) from the next start. Where a Mac's work
   * goes and whom it trusts is that Mac's own decision, never a browser's on the LAN.
   */
  'settings.setFarmQueue': {
    args: z.strictObject({ redisUrl: text(2048).nullable(), advertiseUrl: text(2048).nullable() }),
    result: SettingsViewSchema,
    localOnly: true,
  },
  'settings.setSecret': {
    args: z.strictObject({ name: z.enum(SECRET_NAMES), value: text(4096) }),
    result: SettingsViewSchema,
    localOnly: true,
  },
} as const satisfies Record<string, MethodSpec>;

export type Method = keyof typeof CONTRACT;
export type ArgsOf<M extends Method> = z.input<(typeof CONTRACT)[M]['args']>;
export type ResultOf<M extends Method> = z.infer<(typeof CONTRACT)[M]['result']>;

export const METHODS = Object.keys(CONTRACT) as Method[];

export function isMethod(value: unknown): value is Method {
  return typeof value === 'string' && Object.hasOwn(CONTRACT, value);
}

/** Whether a method may be called over the node's HTTP API. */
export function callableOverHttp(method: string): method is Method {
  return isMethod(method) && !(CONTRACT[method] as MethodSpec).localOnly;
}

/** Enough issues to fix a request, not so many that a hostile body inflates the reply. */
export const MAX_FIELD_ISSUES = 20;
/** The longest field name or message an issue quotes (a field name comes from the request). */
export const MAX_ISSUE_CHARS = 300;

/** One problem with one input field, so a form can show it next to that field. */
export interface FieldIssue {
  /** Dotted path into the arguments, e.g. "crf" or "prosody.rate"; "(input)" for the whole. */
  field: string;
  message: string;
}

export interface CallError {
  /**
   * e.g. 'not-found', 'invalid', 'conflict' (saved by someone else since it was read), 'unauthorized',
   * 'local-only', 'internal', 'unreadable' (a row edited by hand that no longer reads).
   */
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
  | ({ type: 'progress'; jobId: string; stepKey: string; fraction: number } & ProgressRate)
  | { type: 'warning'; jobId: string; message: string }
  | { type: 'farm'; status: FarmStatus };

/** What the renderer holds: the same API whether it runs in the app or in a browser on the LAN. */
export interface VfoClient {
  call<M extends Method>(method: M, args: ArgsOf<M>): Promise<CallResult<M>>;
  subscribe(listener: (event: VfoEvent) => void): () => void;
  /** A URL the <video> element can play for a finished job. */
  videoUrl(jobId: string): string;
  /** A URL an <img> can show for a finished job's thumbnail (the node answers 404 when it has none). */
  thumbnailUrl(jobId: string): string;
  /** Sends one media file of a dropped script, stored by its sha256 (ask media.wanted first). */
  uploadMedia(file: File, sha256: string): Promise<{ ok: true } | { ok: false; error: CallError }>;
}

/**
 * What the preload exposes to the app's window as `window.vfoBridge` (Electron IPC underneath).
 * `pathForFile` gives a dropped File's path on disk (Electron's webUtils.getPathForFile).
 */
export interface VfoBridge extends VfoClient {
  pathForFile(file: File): string;
}
