import type { ArgsOf, CallError, CallResult, FieldIssue, Method, ResultOf } from '../../shared/contract.ts';
import { LibraryError } from '../library/index.ts';
import type { Logger } from '../log/logger.ts';

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

export type HandlerMap<Ms extends Method> = {
  [M in Ms]: (args: ArgsOf<M>) => ResultOf<M> | Promise<ResultOf<M>>;
};

export type WrappedHandlers<Ms extends Method> = {
  [M in Ms]: (args: ArgsOf<M>) => Promise<CallResult<M>>;
};

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

/** Every handler's result or failure as a value: handlers throw, callers never see an exception. */
export function wrapHandlers<Ms extends Method>(handlers: HandlerMap<Ms>, log: Logger): WrappedHandlers<Ms> {
  const wrapped = {} as Record<Method, (args: unknown) => Promise<unknown>>;
  for (const method of Object.keys(handlers) as Ms[]) {
    const handler = handlers[method] as (args: unknown) => unknown;
    wrapped[method] = async (args) => {
      try {
        return { ok: true, value: await handler(args ?? {}) };
      } catch (error) {
        const expected = callErrorOf(error);
        if (expected) return { ok: false, error: expected };
        log.error('call failed', { method, error: String(error) });
        return {
          ok: false,
          error: { code: 'internal', message: (error as Error).message ?? 'internal error' },
        };
      }
    };
  }
  return wrapped as WrappedHandlers<Ms>;
}
