import type { z } from 'zod';

export type LibraryErrorKind = 'not-found' | 'invalid' | 'missing-variables' | 'conflict';

/** One problem with one field, so a form can put the message next to the input that caused it. */
export interface LibraryIssue {
  /** Dotted path into the input, e.g. "defaults.voicePreset" or "prosody.rate"; "(input)" for the whole. */
  field: string;
  message: string;
}

/**
 * An expected failure of the library API: something named that does not exist, an input that breaks a
 * rule (every broken rule listed in `issues`), or a template rendered without all its variables.
 */
export class LibraryError extends Error {
  readonly kind: LibraryErrorKind;
  readonly issues: readonly LibraryIssue[];
  constructor(kind: LibraryErrorKind, message: string, issues: readonly LibraryIssue[] = []) {
    super(message);
    this.name = 'LibraryError';
    this.kind = kind;
    this.issues = issues;
  }
}

export function notFound(message: string): LibraryError {
  return new LibraryError('not-found', message);
}

/** `what` names the thing being saved, e.g. `voice preset "offline-en"`. */
export function invalidInput(what: string, issues: readonly LibraryIssue[]): LibraryError {
  const listed = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
  return new LibraryError('invalid', `invalid ${what}: ${listed}`, issues);
}

export function issuesFromZod(error: z.ZodError): LibraryIssue[] {
  const issues = new Map<string, LibraryIssue>();
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.') || '(input)';
    // One rule can fail twice for one value (1 is both too small and odd): say it once.
    issues.set(`${field}\0${issue.message}`, { field, message: issue.message });
  }
  return [...issues.values()];
}

/** Parses with the schema or throws one 'invalid' error listing every problem zod found. */
export function parseOrThrow<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw invalidInput(what, issuesFromZod(result.error));
}

/** The slug of an input for error messages, before the input is known to be valid. */
export function slugOf(input: unknown): string {
  const slug = (input as { slug?: unknown } | null)?.slug;
  return typeof slug === 'string' ? slug.slice(0, 80) : '?';
}
