/** Events arrive as text from the network: keep only frames shaped like a VfoEvent. */
import type { VfoEvent } from '../../../shared/contract.ts';

const EVENT_TYPES = new Set(['job', 'step', 'progress', 'warning', 'farm']);

export function parseVfoEvent(data: string): VfoEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const record = value as Record<string, unknown>;
  if (typeof record.type !== 'string' || !EVENT_TYPES.has(record.type)) return null;
  if (record.type === 'farm') {
    return typeof record.status === 'object' && record.status !== null ? (value as VfoEvent) : null;
  }
  return typeof record.jobId === 'string' ? (value as VfoEvent) : null;
}
