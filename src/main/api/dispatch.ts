/**
 * The one place a call from the UI enters the engine, for both transports (Electron IPC and the LAN's
 * HTTP API): the method must be in the contract (and callable from where it came), its arguments must
 * parse with the method's schema — a failure is `invalid` with every field problem — and whatever the
 * handler throws becomes a value. An unexpected failure is logged here and reaches the client only as
 * "internal error": internal text (SQL, paths, stack frames) never leaves the node.
 */

import type { ZodType } from 'zod';
import {
  type ArgsOf,
  type CallError,
  type CallResult,
  CONTRACT,
  callableOverHttp,
  type FieldIssue,
  isMethod,
  MAX_FIELD_ISSUES,
  MAX_ISSUE_CHARS,
  type Method,
  OpenedVoicePresetSchema,
  type ResultOf,
} from '../../shared/contract.ts';
import { shorten } from '../../shared/text.ts';
import { VoicePresetInputSchema } from '../library/index.ts';
import type { Logger } from '../log/logger.ts';
import { callErrorOf } from './call-failure.ts';

export type Handlers = { [M in Method]: (args: ArgsOf<M>) => ResultOf<M> | Promise<ResultOf<M>> };

export type Transport = 'ipc' | 'http';

/** What both transports call: any method name and arguments in, a CallResult out, never a rejection. */
export type Dispatch = (method: unknown, args: unknown, transport: Transport) => Promise<CallResult<Method>>;

/** The contract served by a node: for the transports, and typed for the app's own calls. */
export interface VfoService {
  dispatch: Dispatch;
  /** A call made inside the app (its menu bar, its notifications): checked like any other. */
  call<M extends Method>(method: M, args: ArgsOf<M>): Promise<CallResult<M>>;
}

export function serviceOf(dispatch: Dispatch): VfoService {
  return {
    dispatch,
    call: (method, args) => dispatch(method, args, 'ipc') as Promise<CallResult<typeof method>>,
  };
}

function failure(code: string, message: string, issues?: FieldIssue[]): { ok: false; error: CallError } {
  return { ok: false, error: issues?.length ? { code, message, issues } : { code, message } };
}

export function issuesOf(error: { issues: { path: PropertyKey[]; message: string }[] }): FieldIssue[] {
  // The first few are what a form shows; 94,000 of them made a 6 MB reply from a 1 MB request. Each
  // shortened too: one unknown key a megabyte long was quoted whole, twice (a 2 MB reply).
  return error.issues.slice(0, MAX_FIELD_ISSUES).map((issue) => ({
    field: shorten(issue.path.length > 0 ? issue.path.map(String).join('.') : '(input)', MAX_ISSUE_CHARS),
    message: shorten(issue.message, MAX_ISSUE_CHARS),
  }));
}

/**
 * Where the engine knows more rules than the contract's shape (a voice's prosody values, its
 * stage-direction vocabulary), its schema — an extension of the contract's — checks the arguments
 * instead, so a form hears of every field problem at once.
 */
const ENGINE_SCHEMAS: Partial<Record<Method, ZodType>> = {
  'library.saveVoicePreset': VoicePresetInputSchema.extend({
    savedAt: OpenedVoicePresetSchema.shape.savedAt.optional(),
  }),
};

export function createDispatch(handlers: Handlers, log: Logger): Dispatch {
  return async (method, args, transport) => {
    if (!isMethod(method))
      return failure('unknown-method', `no method ${JSON.stringify(String(method)).slice(0, 80)}`);
    if (transport === 'http' && !callableOverHttp(method)) {
      return failure('local-only', `${method} can only be used in the app on that Mac`);
    }
    const schema: ZodType = ENGINE_SCHEMAS[method] ?? CONTRACT[method].args;
    const parsed = schema.safeParse(args === undefined ? {} : args);
    if (!parsed.success) {
      const issues = issuesOf(parsed.error);
      const first = issues[0];
      return failure(
        'invalid',
        `${method}: ${first ? `${first.field}: ${first.message}` : 'invalid arguments'}`,
        issues,
      );
    }
    const handler = handlers[method] as (args: unknown) => unknown;
    try {
      return { ok: true, value: (await handler(parsed.data)) as ResultOf<Method> };
    } catch (error) {
      const expected = callErrorOf(error);
      if (expected) return { ok: false, error: expected };
      log.error('call failed', { method, error: String(error), stack: (error as Error)?.stack });
      return failure('internal', 'internal error');
    }
  };
}

/** The HTTP status a call's outcome travels with (the body is the CallResult either way). */
export function httpStatusOf(result: CallResult<Method>): number {
  if (result.ok) return 200;
  const byCode: Record<string, number> = {
    invalid: 400,
    'unknown-method': 404,
    'not-found': 404,
    'local-only': 403,
    // A save based on an older version than the one stored now (another window saved in between).
    conflict: 409,
    // A row of the data folder edited by hand: the request was fine, the data is not.
    unreadable: 409,
    internal: 500,
  };
  return byCode[result.error.code] ?? 409;
}
