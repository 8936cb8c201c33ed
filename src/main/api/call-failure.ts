import type { CallError, FieldIssue } from '../../shared/contract.ts';
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
    const code = error.kind === 'not-found' ? 'not-found' : 'invalid';
    return withIssues(code, error.message, error.issues);
  }
  return null;
}

function withIssues(code: string, message: string, issues: readonly FieldIssue[]): CallError {
  return issues.length > 0 ? { code, message, issues: issues.map((i) => ({ ...i })) } : { code, message };
}
