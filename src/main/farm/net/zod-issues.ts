import type { z } from 'zod';
import type { FarmErrorIssue } from './errors.ts';

/** Enough issues to fix a request, not so many that a hostile body inflates the reply. */
const MAX_ISSUES = 20;

export function issuesOf(error: z.ZodError): FarmErrorIssue[] {
  return error.issues.slice(0, MAX_ISSUES).map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}
