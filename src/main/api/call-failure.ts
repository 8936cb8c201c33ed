import { type CallError, type FieldIssue, MAX_FIELD_ISSUES, MAX_ISSUE_CHARS } from '../../shared/contract.ts';
import { shorten } from '../../shared/text.ts';
import { StoredJsonError } from '../db/json-text.ts';
import { LibraryError } from '../library/index.ts';

/** An expected failure of a call: becomes `{ ok: false, error }` with this code (and field issues). */
export class CallFailure extends Error {
  readonly code: string;
  readonly issues: readonly FieldIssue[];
  constructor(code: string, message: string, issues: readonly FieldIssue[] = []) {
    super(message);
    this.code = code;
    this.issues = issues;
  }
}

/** The CallError an expected failure stands for, or null for an unexpected one. */
export function callErrorOf(error: unknown): CallError | null {
  if (error instanceof CallFailure) return withIssues(error.code, error.message, error.issues);
  if (error instanceof LibraryError) {
    const code = error.kind === 'not-found' || error.kind === 'conflict' ? error.kind : 'invalid';
    return withIssues(code, error.message, error.issues);
  }
  // A row edited by hand: the client asked nothing wrong (not `invalid`), the data folder holds it.
  if (error instanceof StoredJsonError) return withIssues('unreadable', error.message, []);
  return null;
}

/**
 * Bounded as the dispatcher bounds a schema's issues: a handler's own checks listed 133,332 issues of
 * a prompt template in a 30 MB reply.
 */
function withIssues(code: string, message: string, issues: readonly FieldIssue[]): CallError {
  const shown = shorten(message, 4 * MAX_ISSUE_CHARS);
  if (issues.length === 0) return { code, message: shown };
  const bounded = issues.slice(0, MAX_FIELD_ISSUES).map((i) => ({
    field: shorten(i.field, MAX_ISSUE_CHARS),
    message: shorten(i.message, MAX_ISSUE_CHARS),
  }));
  return { code, message: shown, issues: bounded };
}
