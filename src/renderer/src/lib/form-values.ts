/**
 * Text typed into a form, turned into the values a call sends. What does not parse is sent as typed,
 * so the node's validation names the field (a NaN would silently become null in JSON).
 */
import type { FieldIssue } from '../../../shared/contract.ts';

export function numberOrText(text: string): number {
  const trimmed = text.trim();
  const value = Number(trimmed);
  return (trimmed !== '' && Number.isFinite(value) ? value : trimmed) as number;
}

/** Empty means null (e.g. a crf or temperature left blank). */
export function nullableNumber(text: string): number | null {
  return text.trim() === '' ? null : numberOrText(text);
}

/** "a, b ,c" → ["a", "b", "c"]. */
export function listOf(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** One "synthesizer = voice" per line → { synthesizer: voice }. */
export function pairsOf(text: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const at = line.indexOf('=');
    if (at < 0) continue;
    pairs[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return pairs;
}

export function pairsText(pairs: Record<string, string>): string {
  return Object.entries(pairs)
    .map(([key, value]) => `${key} = ${value}`)
    .join('\n');
}

export function textOf(value: number | string | null | undefined): string {
  return value === null || value === undefined ? '' : String(value);
}

/** The messages for one input: its own field and anything inside it ("prosody" holds "prosody.rate"). */
export function messagesFor(issues: readonly FieldIssue[], field: string): string[] {
  return issues
    .filter((issue) => issue.field === field || issue.field.startsWith(`${field}.`))
    .map((issue) => issue.message);
}

/** Messages no input of the form shows (e.g. "(input)"), so none is lost. */
export function unplacedMessages(issues: readonly FieldIssue[], fields: readonly string[]): string[] {
  return issues
    .filter((issue) => !fields.some((f) => issue.field === f || issue.field.startsWith(`${f}.`)))
    .map((issue) => (issue.field === '(input)' ? issue.message : `${issue.field}: ${issue.message}`));
}
