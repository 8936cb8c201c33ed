/**
 * A form's inputs read off a zod object schema, so a shape declared once (src/shared/presets.ts) is
 * edited without a second list of its fields: each field's kind comes from its schema, inputs hold
 * text, and the text becomes the value the node checks. What does not parse (a number typed as "4x")
 * is sent as typed, so the node's message names the field.
 */
import { z } from 'zod';
import type { FieldIssue } from '../../../shared/contract.ts';
import { listOf, numberOrText, pairsOf, pairsText, textOf } from './form-values.ts';

/** What an empty input means: the field needs a value, is null, or is left out. */
type Empty = 'required' | 'null' | 'omit';

export type FieldKind =
  | { kind: 'text' }
  | { kind: 'number'; integer: boolean }
  | { kind: 'choice'; options: readonly string[] }
  | { kind: 'boolean' }
  /** A list of strings, typed comma-separated. */
  | { kind: 'list' }
  /** A string → string record, typed one "key = value" per line. */
  | { kind: 'pairs' }
  /** Anything else, typed as JSON. */
  | { kind: 'json' }
  /** Not shown: the loaded value goes back as it was (the slug that names the row, a literal). */
  | { kind: 'kept'; fallback?: unknown };

/** One input; `path` is the contract's field name ("prosody.rate" inside an object), as issues name it. */
export type SchemaField = FieldKind & { path: string; empty: Empty };

function unwrap(schema: z.ZodType): { inner: z.ZodType; empty: Empty } {
  let inner = schema;
  let empty: Empty = 'required';
  for (;;) {
    if (inner instanceof z.ZodNullable) {
      empty = 'null';
      inner = inner.unwrap() as z.ZodType;
    } else if (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault) {
      if (empty === 'required') empty = 'omit';
      inner = inner.unwrap() as z.ZodType;
    } else {
      return { inner, empty };
    }
  }
}

/** zod 4's classes match by trait (not by identity) and narrow the schema, so instanceof reads its def. */
function kindOf(schema: z.ZodType): FieldKind {
  if (schema instanceof z.ZodString) return { kind: 'text' };
  if (schema instanceof z.ZodNumber) return { kind: 'number', integer: schema.isInt };
  if (schema instanceof z.ZodBoolean) return { kind: 'boolean' };
  if (schema instanceof z.ZodEnum) return { kind: 'choice', options: schema.options.map(String) };
  if (schema instanceof z.ZodLiteral) return { kind: 'kept', fallback: schema.value };
  if (schema instanceof z.ZodArray && schema.element instanceof z.ZodString) return { kind: 'list' };
  if (schema instanceof z.ZodRecord && schema.valueType instanceof z.ZodString) return { kind: 'pairs' };
  return { kind: 'json' };
}

/**
 * The inputs of an object schema, in its order; a nested object (not nullable or optional) gives one
 * input per field of its own. `kept` names the fields the form leaves as loaded.
 */
export function schemaFields(schema: z.ZodObject, kept: readonly string[] = [], prefix = ''): SchemaField[] {
  return Object.entries(schema.shape).flatMap(([name, fieldSchema]): SchemaField[] => {
    const path = `${prefix}${name}`;
    if (kept.includes(path)) return [{ kind: 'kept', path, empty: 'required' }];
    const { inner, empty } = unwrap(fieldSchema as z.ZodType);
    if (inner instanceof z.ZodObject && empty === 'required') return schemaFields(inner, kept, `${path}.`);
    return [{ ...kindOf(inner), path, empty }];
  });
}

function valueAt(value: unknown, path: string): unknown {
  let at = value;
  for (const name of path.split('.')) at = (at as Record<string, unknown> | null | undefined)?.[name];
  return at;
}

/** The object that holds `path` in `target` (made on the way, so a nested object is sent even when empty). */
function holderOf(target: Record<string, unknown>, path: string): [Record<string, unknown>, string] {
  const names = path.split('.');
  const last = names.pop() as string;
  let at = target;
  for (const name of names) {
    at[name] ??= {};
    at = at[name] as Record<string, unknown>;
  }
  return [at, last];
}

type ShownKind = Exclude<FieldKind['kind'], 'kept'>;

/** How each kind of value is typed: as text in its input, back from it, and the hint that says so. */
const KINDS: Record<
  ShownKind,
  { toText(value: unknown): string; fromText(text: string): unknown; hint?: string }
> = {
  text: { toText: (value) => textOf(value as string | null), fromText: (text) => text.trim() },
  number: { toText: (value) => textOf(value as number | null), fromText: numberOrText },
  choice: { toText: (value) => textOf(value as string | null), fromText: (text) => text },
  boolean: { toText: (value) => String(value === true), fromText: (text) => text === 'true' },
  list: {
    toText: (value) => (Array.isArray(value) ? value.join(', ') : ''),
    fromText: listOf,
    hint: 'comma-separated',
  },
  pairs: {
    toText: (value) => pairsText((value ?? {}) as Record<string, string>),
    fromText: pairsOf,
    hint: 'one “key = value” per line',
  },
  json: {
    toText: (value) => (value === undefined ? '' : JSON.stringify(value, null, 2)),
    fromText: (text) => JSON.parse(text),
    hint: 'JSON',
  },
};

/** The text each input starts with. */
export function draftOf(fields: readonly SchemaField[], loaded: unknown): Record<string, string> {
  const draft: Record<string, string> = {};
  for (const field of fields)
    if (field.kind !== 'kept') draft[field.path] = KINDS[field.kind].toText(valueAt(loaded, field.path));
  return draft;
}

/**
 * The value to save, built from the inputs' text and the loaded value (for kept fields). Only text
 * that cannot be sent at all (JSON that does not parse) is refused here; the node judges the rest.
 */
export function valueFromDraft(
  fields: readonly SchemaField[],
  draft: Readonly<Record<string, string>>,
  loaded: unknown,
): { ok: true; value: Record<string, unknown> } | { ok: false; issues: FieldIssue[] } {
  const value: Record<string, unknown> = {};
  const issues: FieldIssue[] = [];
  for (const field of fields) {
    const [holder, name] = holderOf(value, field.path);
    if (field.kind === 'kept') {
      const current = valueAt(loaded, field.path) ?? field.fallback;
      if (current !== undefined) holder[name] = current;
      continue;
    }
    const text = draft[field.path] ?? '';
    if (field.empty !== 'required' && field.kind !== 'boolean' && text.trim() === '') {
      if (field.empty === 'null') holder[name] = null;
      continue;
    }
    try {
      holder[name] = KINDS[field.kind].fromText(text);
    } catch (error) {
      // Only JSON.parse throws: text that cannot be sent at all.
      issues.push({ field: field.path, message: `not valid JSON: ${(error as Error).message}` });
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value };
}

/** A label for a field no description names: "audioSampleRate" → "Audio sample rate". */
export function labelFromName(path: string): string {
  const name = path.slice(path.lastIndexOf('.') + 1);
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** How to type a field's value, for a field no description gives a hint. */
export function formatHint(field: SchemaField): string | undefined {
  if (field.kind === 'kept') return undefined;
  const empty = field.empty === 'required' || field.kind === 'boolean' ? undefined : 'empty for none';
  return [KINDS[field.kind].hint, empty].filter(Boolean).join('; ') || undefined;
}
