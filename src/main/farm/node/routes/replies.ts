/** The few replies every group of farm routes gives: a refusal as the one error shape, and a 403 by role. */
import type { FastifyReply } from 'fastify';
import { errorBody } from '../../../http/index.ts';
import { createLogger } from '../../../log/logger.ts';
import type { Verdict } from '../farm-policy.ts';

const log = createLogger('FarmRoutes');

export function refuse(reply: FastifyReply, status: number, code: string, message: string) {
  return reply.code(status).send(errorBody(code, message));
}

/** The caller is authenticated, but its role does not allow this: 403 with the reason. */
export function forbidden(reply: FastifyReply, reason: string) {
  log.warn('call refused by role', { reason });
  return refuse(reply, 403, 'forbidden', reason);
}

/** Runs `act` only when `verdict` allows it. */
export function authorized<T>(reply: FastifyReply, verdict: Verdict, act: () => T) {
  return verdict === null ? act() : forbidden(reply, verdict);
}

export const notCoordinator = (reply: FastifyReply) =>
  refuse(reply, 409, 'not-coordinator', 'this node is not the coordinator');

/** Signed by an admitted node (farm-auth.ts); `request.caller` is who. */
export const SIGNED = { config: { auth: 'farm' } } as const;
