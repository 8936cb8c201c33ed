/**
 * Tasks in Redis are signed by their origin: a worker acts only on a task an admitted origin signed
 * for this farm, this queue and this job id, recently, with the plan it signed; and believes a
 * withdrawal only from a fresh, valid signature.
 */
import { describe, expect, it } from 'vitest';
import { ephemeralIdentity, FarmTrust, farmIdOf, farmKeyFromText, generateFarmKey } from '../net/index.ts';
import { routeTask } from './presence.ts';
import {
  signTask,
  signWithdrawal,
  TASK_MAX_AGE_MS,
  type TaskJobData,
  type TaskToSign,
  verifyTask,
  verifyWithdrawal,
} from './task-envelope.ts';

const T0 = 1_700_000_000_000;
const key = farmKeyFromText(generateFarmKey());
const stranger = farmKeyFromText(generateFarmKey());
const trust = new FarmTrust(key);
const origin = ephemeralIdentity(key);
const farm = farmIdOf(key);
const task: TaskToSign = {
  farm,
  queue: 'encode-libx264',
  taskId: 'a'.repeat(64),
  jobId: 'job-1',
  originUrl: 'https://origin.example:4870',
  originTls: 'f'.repeat(64),
  plan: { version: 1, output: { encoders: ['libx264'] } },
};
const place = { farm, queue: task.queue, jobKey: task.taskId };
const signed = signTask(origin, task, T0);

function refusal(data: unknown, at = place, now = T0) {
  const result = verifyTask(trust, data, at, now);
  return result.ok ? 'accepted' : result.reason;
}

/** The signed fields with one changed, the signature kept. */
function edited(change: Record<string, unknown>): TaskJobData {
  return { ...signed, fields: JSON.stringify({ ...JSON.parse(signed.fields), ...change }) };
}

describe('a task signed into Redis', () => {
  it('is accepted where and as it was signed, with its plan and origin', () => {
    const result = verifyTask(trust, signed, place, T0 + 1000);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan).toEqual(task.plan);
    expect(result.fields).toMatchObject({
      originId: origin.id,
      originUrl: task.originUrl,
      originTls: task.originTls,
    });
  });

  it('is refused when forged: another key, edited fields, a swapped plan, garbage', () => {
    expect(refusal(signTask(ephemeralIdentity(stranger), task, T0))).toBe('not-admitted');
    expect(refusal(edited({ originUrl: 'http://attacker.example' }))).toBe('bad-signature');
    expect(refusal(edited({ jobId: 'job-2' }))).toBe('bad-signature');
    expect(refusal({ ...signed, plan: JSON.stringify({ version: 1, evil: true }) })).toBe('tampered');
    // A member signing as another origin: the signer must be the origin it names.
    const member = ephemeralIdentity(key);
    const impostor = signTask(member, task, T0);
    const claimed = { ...JSON.parse(impostor.fields), originId: origin.id };
    const text = JSON.stringify(claimed);
    expect(refusal({ ...impostor, fields: text, signature: member.sign(`vfo-redis-task-v1\n${text}`) })).toBe(
      'bad-signature',
    );
    expect(refusal({ nothing: 'here' })).toBe('invalid');
    expect(refusal('a string')).toBe('invalid');
  });

  it('is refused as a replay when copied under another job id or queue, or to another farm', () => {
    expect(refusal(signed, { ...place, jobKey: 'b'.repeat(64) })).toBe('replayed');
    expect(refusal(signed, { ...place, queue: 'encode-libx265' })).toBe('replayed');
    expect(refusal(signed, { ...place, farm: farmIdOf(stranger) })).toBe('wrong-farm');
  });

  it('is refused when older than the farm keeps tasks, or signed in the future', () => {
    expect(refusal(signed, place, T0 + TASK_MAX_AGE_MS - 1)).toBe('accepted');
    expect(refusal(signed, place, T0 + TASK_MAX_AGE_MS + 1)).toBe('stale');
    expect(refusal(signed, place, T0 - 60_000)).toBe('stale');
  });
});

describe('a withdrawal', () => {
  const nonce = 'a1'.repeat(16);
  it('is believed fresh and signed, with who signed it; refused stale, edited or unadmitted', () => {
    const message = JSON.stringify(signWithdrawal(origin, { taskId: task.taskId, nonce }, T0));
    expect(verifyWithdrawal(trust, message, T0 + 1000)).toEqual({
      taskId: task.taskId,
      nonce,
      origin: origin.id,
    });
    expect(verifyWithdrawal(trust, message, T0 + 120_000)).toBeNull();
    const edited = JSON.stringify({ ...JSON.parse(message), taskId: 'c'.repeat(64) });
    expect(verifyWithdrawal(trust, edited, T0)).toBeNull();
    // Found by attacking Redis mode: a captured withdrawal replayed stopped the task's next run. It
    // names its job's nonce, and another nonce is another signature.
    const otherRun = JSON.stringify({ ...JSON.parse(message), nonce: 'b2'.repeat(16) });
    expect(verifyWithdrawal(trust, otherRun, T0)).toBeNull();
    const foreign = JSON.stringify(
      signWithdrawal(ephemeralIdentity(stranger), { taskId: task.taskId, nonce }, T0),
    );
    expect(verifyWithdrawal(trust, foreign, T0)).toBeNull();
    expect(verifyWithdrawal(trust, 'not json', T0)).toBeNull();
  });
});

describe('routing a task to an encoder queue', () => {
  const node = (encoders: string[]) => ({
    id: 'n',
    name: 'n',
    url: 'http://x',
    role: 'worker' as const,
    encoders,
    cores: 2,
    slots: 1,
    running: 0,
    status: 'online' as const,
    reason: null,
    version: '0.1.0',
    protocol: 2,
    time: T0,
  });
  it('takes the plan’s first encoder some live node has, else its first', () => {
    const plan = ['h264_videotoolbox', 'libx264'];
    expect(routeTask(plan, [node(['libx264'])])).toBe('libx264');
    expect(routeTask(plan, [node(['libx264']), node(['h264_videotoolbox'])])).toBe('h264_videotoolbox');
    expect(routeTask(plan, [])).toBe('h264_videotoolbox');
  });
});
