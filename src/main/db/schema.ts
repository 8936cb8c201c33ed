/**
 * The data model (see the seed design docs): recipes (versioned pipelines as data), prompts, knowledge
 * base, voice and video presets, jobs with their steps, checksummed artifacts, and the farm's two queues
 * (the coordinator's tasks, an origin's own tasks). drizzle-kit generates the SQL migrations in resources/migrations from this file.
 */
import { sql } from 'drizzle-orm';
import {
  check,
  index,
  integer,
  primaryKey,
  real,
  sqliteTable,
  text,
  uniqueIndex,
} from 'drizzle-orm/sqlite-core';
import type { CaptionStyle } from '../../shared/caption-styles.ts';
import type { JobStatus, StepStatus } from '../../shared/contract.ts';
import type { Loudness, MusicMix, VideoEncoding, VoicePreset } from '../../shared/presets.ts';
import type { TitleCardSetting } from '../../shared/title-card.ts';
import type { DirectionMap, Prosody } from '../script/types.ts';
import { jsonText } from './json-text.ts';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export interface PipelineStep {
  key: string;
  kind: string;
  dependsOn: string[];
  /** Step-specific settings, merged over what the step kind reads from the job's presets. */
  with?: Record<string, Json>;
}

export interface Pipeline {
  steps: PipelineStep[];
}

export interface RecipeDefaults {
  voicePreset: string;
  videoPreset: string;
  /** Bundled visuals (file names under resources/visuals) cycled over scenes that have no [image]. */
  visuals: string[];
  motion: 'none' | 'zoom-in' | 'zoom-out' | 'pan-left' | 'pan-right';
  /** How captions look is the caption style's (named by the video preset), not the recipe's. */
  captions: { burnIn: boolean };
  /** A bundled music bed (see ffmpeg/music-beds.ts) under scripts that name no music of their own. */
  music?: { bed: string } | null;
  /** The title card over the video's opening (src/shared/title-card.ts); absent or null: none. */
  titleCard?: TitleCardSetting | null;
}

export const recipes = sqliteTable(
  'recipes',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull(),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    pipeline: jsonText<Pipeline>('pipeline').notNull(),
    defaults: jsonText<RecipeDefaults>('defaults').notNull(),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(false),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('recipes_slug_version').on(t.slug, t.version)],
);

export const prompts = sqliteTable(
  'prompts',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull(),
    version: integer('version').notNull(),
    systemPrompt: text('system_prompt').notNull(),
    userTemplate: text('user_template').notNull(),
    model: text('model').notNull(),
    maxTokens: integer('max_tokens').notNull(),
    /** Sent only when set: recent Claude API versions reject sampling parameters (SDK 1.x has none). */
    temperature: real('temperature'),
    kbTiers: jsonText<string[]>('kb_tiers').notNull(),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(false),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('prompts_slug_version').on(t.slug, t.version)],
);

export const knowledgeBase = sqliteTable('knowledge_base', {
  id: text('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  tier: text('tier').notNull(),
  title: text('title').notNull(),
  content: text('content').notNull(),
  createdAt: text('created_at').notNull(),
});

export const voicePresets = sqliteTable('voice_presets', {
  id: text('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  /** 'offline' picks `say` on a Mac and espeak-ng elsewhere; 'azure' is the neural cloud voice. */
  provider: text('provider').$type<VoicePreset['provider']>().notNull(),
  /** Voice per synthesizer, e.g. { "espeak-ng": "en-us+f3", "say": "Samantha", "azure": "en-US-JennyNeural" }. */
  voiceNames: jsonText<Record<string, string>>('voice_names').notNull(),
  language: text('language').notNull(),
  prosody: jsonText<Prosody>('prosody').notNull(),
  style: text('style'),
  styleDegree: real('style_degree'),
  role: text('role'),
  directionMap: jsonText<DirectionMap>('direction_map').notNull(),
  updatedAt: text('updated_at').notNull(),
});

export const videoPresets = sqliteTable('video_presets', {
  id: text('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  /** Encoders in order of preference: the first the machine's ffmpeg has wins. */
  encoders: jsonText<string[]>('encoders').notNull(),
  width: integer('width').notNull(),
  height: integer('height').notNull(),
  fps: integer('fps').notNull(),
  bitrate: text('bitrate').notNull(),
  crf: integer('crf'),
  speedPreset: text('speed_preset'),
  pixelFormat: text('pixel_format').$type<VideoEncoding['pixelFormat']>().notNull(),
  audioCodec: text('audio_codec').$type<VideoEncoding['audioCodec']>().notNull(),
  audioBitrate: text('audio_bitrate').notNull(),
  audioSampleRate: integer('audio_sample_rate').notNull(),
  /** Slug of a caption style; its active version is what jobs made with this preset use. */
  captionStyle: text('caption_style').notNull().default('clean'),
  /** Rows made before loudness was a preset field get what the platforms play at. */
  loudness: jsonText<Loudness>('loudness').notNull().default({ targetLufs: -14, truePeakDbtp: -1 }),
  /** How a music bed sits under the narration (levels relative to the narration's loudness). */
  music: jsonText<MusicMix>('music')
    .notNull()
    .default({ levelDb: -14, duckDb: 10, attackMs: 20, releaseMs: 400, fadeInMs: 1500, fadeOutMs: 2500 }),
  /** "cut", "crossfade 800ms" or "fade 0.5s" (src/shared/transition.ts); rows made before keep cutting. */
  transition: text('transition').notNull().default('cut'),
  /** The longest video the preset makes, in seconds; null: no limit. */
  maxDurationSeconds: integer('max_duration_seconds'),
  updatedAt: text('updated_at').notNull(),
});

/** Versioned like recipes: a job records the version it used, and versions are never edited. */
export const captionStyles = sqliteTable(
  'caption_styles',
  {
    id: text('id').primaryKey(),
    slug: text('slug').notNull(),
    version: integer('version').notNull(),
    name: text('name').notNull(),
    font: text('font').$type<CaptionStyle['font']>().notNull(),
    size: integer('size').notNull(),
    textColour: text('text_colour').notNull(),
    outlineColour: text('outline_colour').notNull(),
    outline: real('outline').notNull(),
    shadowColour: text('shadow_colour').notNull(),
    shadow: real('shadow').notNull(),
    position: text('position').$type<CaptionStyle['position']>().notNull(),
    margin: real('margin').notNull(),
    maxLines: integer('max_lines').notNull(),
    textCase: text('text_case').$type<CaptionStyle['textCase']>().notNull(),
    wordHighlight: text('word_highlight').$type<CaptionStyle['wordHighlight']>().notNull(),
    highlightColour: text('highlight_colour').notNull(),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(false),
    createdAt: text('created_at').notNull(),
  },
  (t) => [uniqueIndex('caption_styles_slug_version').on(t.slug, t.version)],
);

export type { JobStatus, StepStatus };

export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    recipeId: text('recipe_id')
      .notNull()
      .references(() => recipes.id),
    recipeSlug: text('recipe_slug').notNull(),
    recipeVersion: integer('recipe_version').notNull(),
    /** Recipe pipeline + defaults + presets as they were when the job was made: a job never drifts. */
    snapshot: jsonText<Json>('snapshot').notNull(),
    input: jsonText<Json>('input').notNull(),
    /** Hash of input + snapshot: an unfinished job with the same key is resumed instead of duplicated. */
    inputKey: text('input_key').notNull(),
    manifest: jsonText<Json>('manifest').notNull(),
    status: text('status').$type<JobStatus>().notNull(),
    priority: integer('priority').notNull().default(0),
    outputPath: text('output_path'),
    error: text('error'),
    warnings: jsonText<string[]>('warnings').notNull(),
    /** "host:pid" of the process running the job, so crash repair never steals a live job. */
    owner: text('owner'),
    cancelRequested: integer('cancel_requested', { mode: 'boolean' }).notNull().default(false),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (t) => [index('jobs_status').on(t.status), index('jobs_input_key').on(t.inputKey)],
);

export const jobSteps = sqliteTable(
  'job_steps',
  {
    id: text('id').primaryKey(),
    jobId: text('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    stepKey: text('step_key').notNull(),
    kind: text('kind').notNull(),
    stepOrder: integer('step_order').notNull(),
    status: text('status').$type<StepStatus>().notNull(),
    inputHash: text('input_hash'),
    /** { files: { name: artifactId }, data: Json } — what downstream steps read. */
    outputRefs: jsonText<Json>('output_refs'),
    /** Set when the outputs were reused from an earlier identical run instead of computed. */
    reusedFrom: text('reused_from'),
    /** Re-run even if an identical earlier run exists (re-run from a chosen step). */
    force: integer('force', { mode: 'boolean' }).notNull().default(false),
    logs: text('logs').notNull().default(''),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    errorKind: text('error_kind'),
    progress: real('progress').notNull().default(0),
    /** What the step consumed, e.g. { inputTokens, outputTokens } of a Claude call. */
    metrics: jsonText<Json>('metrics'),
    startedAt: text('started_at'),
    completedAt: text('completed_at'),
  },
  (t) => [
    uniqueIndex('job_steps_job_key').on(t.jobId, t.stepKey),
    index('job_steps_input_hash').on(t.inputHash),
  ],
);

export const artifacts = sqliteTable(
  'artifacts',
  {
    id: text('id').primaryKey(),
    jobId: text('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    stepKey: text('step_key').notNull(),
    name: text('name').notNull(),
    type: text('type').notNull(),
    path: text('path').notNull(),
    sha256: text('sha256').notNull(),
    size: integer('size').notNull(),
    metadata: jsonText<Json>('metadata').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (t) => [index('artifacts_job').on(t.jobId), index('artifacts_sha256').on(t.sha256)],
);

/** Small key/value settings of this installation (never secrets: those live in env vars or the keychain). */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: jsonText<Json>('value').notNull(),
});

/** Where a farm task is: waiting, leased to a worker, or finished. */
export type FarmTaskStatus = 'queued' | 'leased' | 'done' | 'failed';

/**
 * The coordinator's farm queue (farm/queue/sqlite-task-store.ts). Times are ms since the epoch. The lease
 * columns are set exactly when the task is leased; renewals are not written (a reload gives every lease a
 * fresh timeout). Made by code before it was a migration: see 0002_farm-tables.sql.
 */
export const farmTasks = sqliteTable(
  'farm_tasks',
  {
    /** sha256(origin node id + job id + plan). */
    id: text('id').primaryKey(),
    originNodeId: text('origin_node_id').notNull(),
    originUrl: text('origin_url').notNull(),
    jobId: text('job_id').notNull(),
    priority: integer('priority').notNull(),
    createdAt: integer('created_at').notNull(),
    /** The RenderPlan, JSON. */
    plan: text('plan').notNull(),
    /** JSON {"encoders": [...]}. */
    requirements: text('requirements').notNull(),
    status: text('status').$type<FarmTaskStatus>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** JSON {workerId: failures}. */
    failuresByWorker: text('failures_by_worker').notNull().default('{}'),
    leaseId: text('lease_id'),
    leaseWorkerId: text('lease_worker_id'),
    leaseGrantedAt: integer('lease_granted_at'),
    leaseRenewedAt: integer('lease_renewed_at'),
    leaseExpiresAt: integer('lease_expires_at'),
    lastError: text('last_error'),
    completedLeaseId: text('completed_lease_id'),
    finishedAt: integer('finished_at'),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [
    index('farm_tasks_status').on(t.status),
    check('farm_tasks_status_known', sql`status IN ('queued', 'leased', 'done', 'failed')`),
    check(
      'farm_tasks_lease_iff_leased',
      sql`(status = 'leased') = (lease_id IS NOT NULL AND lease_worker_id IS NOT NULL)`,
    ),
  ],
);

/**
 * The tasks this node sent to the farm as an origin (farm/node/origin.ts), kept until their video is back
 * and announced again to a new coordinator. Made by code before it was a migration: see 0002_farm-tables.sql.
 */
export const farmOriginTasks = sqliteTable(
  'farm_origin_tasks',
  {
    taskId: text('task_id').primaryKey(),
    jobId: text('job_id').notNull(),
    /** The RenderPlan, JSON. */
    plan: text('plan').notNull(),
    priority: integer('priority').notNull().default(0),
    createdAt: integer('created_at').notNull(),
    resultPath: text('result_path'),
    resultSha256: text('result_sha256'),
    encoder: text('encoder'),
    /**
     * Set when the worker's first encoder failed at run time and it encoded with the plan's next one:
     * JSON {from, reason}. The encode step records it on the job as a warning.
     */
    fallback: text('fallback'),
    /** For a segment: the task id the whole video would have had (its segments share it). */
    splitOf: text('split_of'),
  },
  (t) => [index('farm_origin_tasks_split').on(t.splitOf)],
);

/** How one attempt of a farm task ended (ops/task-runs.ts). */
export type TaskRunOutcome = 'done' | 'failed' | 'retried';

/**
 * The coordinator's record of every task attempt that ended: who encoded what, when and for how long
 * (the dashboard's timeline, render time per video-minute, the daily summary). Kept for the
 * `ops.history` setting's retention. Times are ms since the epoch.
 */
export const opsTaskRuns = sqliteTable(
  'ops_task_runs',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    taskId: text('task_id').notNull(),
    jobId: text('job_id').notNull(),
    originNodeId: text('origin_node_id').notNull(),
    workerId: text('worker_id').notNull(),
    startedAt: integer('started_at').notNull(),
    endedAt: integer('ended_at').notNull(),
    outcome: text('outcome').$type<TaskRunOutcome>().notNull(),
    /** How much video the task was: a segment's share, or the whole video. */
    videoMs: integer('video_ms').notNull(),
    /** The segment's index; null for a whole video. */
    segment: integer('segment'),
  },
  (t) => [
    index('ops_task_runs_ended').on(t.endedAt),
    check('ops_task_runs_outcome_known', sql`outcome IN ('done', 'failed', 'retried')`),
  ],
);

/** The coordinator's queue length over time (the dashboard's queue chart), one row per sample. */
export const opsQueueSamples = sqliteTable('ops_queue_samples', {
  /** ms since the epoch. */
  at: integer('at').primaryKey(),
  queued: integer('queued').notNull(),
  running: integer('running').notNull(),
});

/**
 * The coordinator's per-job worker blocklist (farm/queue/job-blocks.ts): how many tasks of one job each
 * worker failed (a failed or expired lease). A worker at the limit (the `farm.blocklist` setting) gets no
 * more tasks of that job until an operator clears it or the job is retried.
 */
export const farmJobFailures = sqliteTable(
  'farm_job_failures',
  {
    originNodeId: text('origin_node_id').notNull(),
    jobId: text('job_id').notNull(),
    workerId: text('worker_id').notNull(),
    failures: integer('failures').notNull(),
    lastError: text('last_error').notNull(),
    /** ms since the epoch. */
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.originNodeId, t.jobId, t.workerId] })],
);
