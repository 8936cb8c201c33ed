/**
 * A task as it sits in Redis: signed by its origin, so the queue is no way around the farm's
 * signatures. Anyone who can write to Redis (it may be a shared, rented server) can add, copy or
 * delete jobs; without the farm key they cannot make a worker act on one. The origin signs, with its
 * own admitted node key, a line per field: the farm it is for (any worker of that farm receives it),
 * the queue and job id it was put under, the task, its job, the plan's sha256, where the origin is
 * (URL and certificate fingerprint), when, and a nonce. A worker checks, before any network call:
 * - the signer is admitted by the farm key and signed exactly these fields (else `not-admitted`,
 *   `bad-signature`);
 * - the plan is the one signed (`tampered`), for this farm (`wrong-farm`);
 * - the job sits where it was signed for, under the same queue and id: a copy re-added elsewhere is a
 *   replay (`replayed`);
 * - it is not older than the farm keeps tasks, nor from the future (`stale`).
 * A copy re-added under its own id after the task finished is caught by the origin, which the worker
 * asks whether it still wants the task before encoding (redis-worker.ts).
 *
 * Hand-written like signing.ts, from the same primitives: no library defines these messages.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { sha256Hex } from '../../util/hash.ts';
import { jsonOrNull } from '../../util/json-or-null.ts';
import { ADMISSION_PATTERN, type NodeIdentity, PUBLIC_KEY_PATTERN } from '../net/identity.ts';
import type { Credentials, FarmTrust } from '../net/trust.ts';
import {
  FINISHED_TASK_RETENTION_MS,
  LEASE_ID_PATTERN,
  NODE_ID_PATTERN,
  TASK_ID_PATTERN,
} from '../queue/index.ts';

/** How long a signed task stays valid: the farm keeps finished tasks a week, no queued one is older. */
export const TASK_MAX_AGE_MS = FINISHED_TASK_RETENTION_MS;
/** Clocks of the farm's machines may disagree this much. */
export const MAX_CLOCK_SKEW_MS = 30_000;

const fingerprint = z.string().regex(/^[0-9a-f]{64}$/);

/** The fields the origin signs. */
const signedFieldsSchema = z.strictObject({
  v: z.literal(1),
  farm: z.string().regex(/^[0-9a-f]{16}$/),
  queue: z.string().regex(/^encode-[a-z0-9_]{1,64}$/),
  taskId: z.string().regex(TASK_ID_PATTERN),
  jobId: z.string().regex(NODE_ID_PATTERN),
  originId: z.string().regex(NODE_ID_PATTERN),
  originUrl: z
    .string()
    .max(2048)
    .refine((url) => URL.canParse(url) && /^https?:$/.test(new URL(url).protocol), 'an http(s) URL'),
  /** The sha256 of the origin's certificate when it serves https: workers pin it. */
  originTls: fingerprint.nullable(),
  planSha256: fingerprint,
  time: z.number().int().nonnegative(),
  nonce: z.string().regex(LEASE_ID_PATTERN),
});
export type SignedTaskFields = z.infer<typeof signedFieldsSchema>;

/** A BullMQ job's data. The fields and the plan travel as the exact text that was signed and hashed. */
export const taskJobDataSchema = z.strictObject({
  fields: z.string().max(8192),
  plan: z.string().max(8 * 1024 * 1024),
  signer: z.strictObject({
    id: z.string().regex(NODE_ID_PATTERN),
    publicKey: z.string().regex(PUBLIC_KEY_PATTERN),
    admission: z.string().regex(ADMISSION_PATTERN),
  }),
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/),
});
export type TaskJobData = z.infer<typeof taskJobDataSchema>;

function signedText(fields: string): string {
  return `vfo-redis-task-v1\n${fields}`;
}

export interface TaskToSign {
  farm: string;
  queue: string;
  taskId: string;
  jobId: string;
  originUrl: string;
  originTls: string | null;
  plan: unknown;
}

export function signTask(identity: NodeIdentity, task: TaskToSign, now: number): TaskJobData {
  const plan = JSON.stringify(task.plan);
  const fields: SignedTaskFields = {
    v: 1,
    farm: task.farm,
    queue: task.queue,
    taskId: task.taskId,
    jobId: task.jobId,
    originId: identity.id,
    originUrl: task.originUrl,
    originTls: task.originTls,
    planSha256: sha256Hex(plan),
    time: Math.floor(now),
    nonce: randomBytes(16).toString('hex'),
  };
  const text = JSON.stringify(fields);
  return {
    fields: text,
    plan,
    signer: signerOf(identity),
    signature: identity.sign(signedText(text)),
  };
}

export type TaskRefusal =
  | 'invalid'
  | 'not-admitted'
  | 'bad-signature'
  | 'tampered'
  | 'wrong-farm'
  | 'replayed'
  | 'stale';

export type VerifiedTask =
  | { ok: true; fields: SignedTaskFields; plan: unknown }
  | { ok: false; reason: TaskRefusal; detail: string };

function refused(reason: TaskRefusal, detail: string): VerifiedTask {
  return { ok: false, reason, detail };
}

/** Where the job was found: the queue and id it must have been signed for. */
export interface JobPlace {
  farm: string;
  queue: string;
  jobKey: string;
}

export function verifyTask(trust: FarmTrust, data: unknown, place: JobPlace, now: number): VerifiedTask {
  const parsed = taskJobDataSchema.safeParse(data);
  if (!parsed.success) return refused('invalid', 'the job data is not a signed task');
  const { fields: text, plan, signer, signature } = parsed.data;
  const credentials: Credentials = signer;
  if (!trust.publicKeyOf(credentials))
    return refused('not-admitted', `signer ${signer.id} is not admitted by the farm key`);
  if (!trust.verifies(credentials, signedText(text), signature))
    return refused('bad-signature', 'the signature does not cover these fields');
  const checked = signedFieldsSchema.safeParse(jsonOrNull(text));
  if (!checked.success) return refused('invalid', 'the signed fields are malformed');
  const fields = checked.data;
  if (fields.originId !== signer.id)
    return refused('bad-signature', 'signed by another node than its origin');
  if (sha256Hex(plan) !== fields.planSha256) return refused('tampered', 'the plan is not the one signed');
  if (fields.farm !== place.farm) return refused('wrong-farm', `signed for farm ${fields.farm}`);
  if (fields.queue !== place.queue || fields.taskId !== place.jobKey)
    return refused('replayed', `signed for job ${fields.taskId.slice(0, 12)}… of ${fields.queue}`);
  if (fields.time > now + MAX_CLOCK_SKEW_MS) return refused('stale', 'signed in the future');
  if (now - fields.time > TASK_MAX_AGE_MS) return refused('stale', 'signed more than a week ago');
  try {
    return { ok: true, fields, plan: JSON.parse(plan) };
  } catch {
    return refused('invalid', 'the plan is not JSON');
  }
}

/**
 * An origin's word that it withdrew a task (published to every worker; a worker believes only the
 * task's origin). It names the job it withdraws by the signed task's nonce: replayed a few seconds
 * later, when the task was queued again (a retry keeps its id), it stopped that new run.
 */
export const withdrawalSchema = z.strictObject({
  taskId: z.string().regex(TASK_ID_PATTERN),
  nonce: z.string().regex(LEASE_ID_PATTERN),
  time: z.number().int().nonnegative(),
  signer: taskJobDataSchema.shape.signer,
  signature: taskJobDataSchema.shape.signature,
});
export type Withdrawal = z.infer<typeof withdrawalSchema>;

const withdrawalText = (taskId: string, nonce: string, time: number) =>
  `vfo-redis-withdraw-v2\n${taskId}\n${nonce}\n${time}`;

export function signWithdrawal(
  identity: NodeIdentity,
  task: { taskId: string; nonce: string },
  now: number,
): Withdrawal {
  const time = Math.floor(now);
  return {
    ...task,
    time,
    signer: signerOf(identity),
    signature: identity.sign(withdrawalText(task.taskId, task.nonce, time)),
  };
}

/** The task (and its job's nonce) withdrawn and who signed it, if `message` is a fresh, valid withdrawal. */
export function verifyWithdrawal(
  trust: FarmTrust,
  message: string,
  now: number,
): { taskId: string; nonce: string; origin: string } | null {
  const parsed = withdrawalSchema.safeParse(jsonOrNull(message));
  if (!parsed.success) return null;
  const { taskId, nonce, time, signer, signature } = parsed.data;
  if (Math.abs(now - time) > MAX_CLOCK_SKEW_MS) return null;
  return trust.verifies(signer, withdrawalText(taskId, nonce, time), signature)
    ? { taskId, nonce, origin: signer.id }
    : null;
}

/** Longer reasons are cut (a worker's reason may quote ffmpeg at length). */
const MAX_FAILURE_REASON = 2000;

/** What follows the reason in a signed failure; the reason comes first, as a node before them shows it. */
const FAILURE_MARK = '\n\nvfo-signed-failure ';

const failureSchema = z.strictObject({
  v: z.literal(1),
  signer: taskJobDataSchema.shape.signer,
  signature: taskJobDataSchema.shape.signature,
});

const failureText = (taskId: string, nonce: string, reason: string) =>
  `vfo-redis-failure-v1\n${taskId}\n${nonce}\n${reason}`;

/**
 * A worker's word that it failed a task, which BullMQ keeps as the job's `failedReason`: the reason,
 * then its signature for that run of the task (its nonce). Anyone who can write to Redis can put a job
 * in the failed state with a reason of their own ("Licence expired: re-activate at http://…" reached
 * the user as the job's error); the origin fails its step only on this word (redis-origin-queue.ts).
 */
export function signFailure(
  identity: NodeIdentity,
  task: { taskId: string; nonce: string },
  reason: string,
): string {
  const cut = reason.slice(0, MAX_FAILURE_REASON);
  const signature = identity.sign(failureText(task.taskId, task.nonce, cut));
  return `${cut}${FAILURE_MARK}${JSON.stringify({ v: 1, signer: signerOf(identity), signature })}`;
}

/** The reason and the worker who gave it, if `text` is a member's signed failure of this run of the task. */
export function verifyFailure(
  trust: FarmTrust,
  text: string,
  task: { taskId: string; nonce: string },
): { reason: string; worker: string } | null {
  const at = text.lastIndexOf(FAILURE_MARK);
  if (at < 0 || at > MAX_FAILURE_REASON) return null;
  const reason = text.slice(0, at);
  const parsed = failureSchema.safeParse(jsonOrNull(text.slice(at + FAILURE_MARK.length)));
  if (!parsed.success) return null;
  const { signer, signature } = parsed.data;
  return trust.verifies(signer, failureText(task.taskId, task.nonce, reason), signature)
    ? { reason, worker: signer.id }
    : null;
}

/** Who signed: what a verifier needs to check the signature against the farm key. */
function signerOf(identity: NodeIdentity): TaskJobData['signer'] {
  return { id: identity.id, publicKey: identity.publicKey, admission: identity.admission };
}
