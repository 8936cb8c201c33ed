/**
 * Schemas for what peers send about themselves (hello answers, coordinator claims). Network input is
 * parsed, never cast: the same bounds as the TXT record apply.
 */
import { z } from 'zod';
import { NODE_ID_PATTERN } from './txt.ts';
import { MAX_TERM } from './types.ts';

const nodeId = z.string().regex(NODE_ID_PATTERN);
const term = z.number().int().min(0).max(MAX_TERM);

/**
 * The answer of a peer's `/farm/v1/hello`. Not strict: a newer node of the same protocol may say more
 * about itself, and an older one must still understand the rest (unknown keys are dropped, never
 * trusted).
 */
export const helloInfoSchema = z.object({
  id: nodeId,
  name: z.string().min(1).max(200),
  role: z.enum(['coordinator', 'candidate', 'worker']),
  term,
  coordinatorId: nodeId.nullable(),
  url: z
    .string()
    .max(300)
    .regex(/^https?:\/\//),
  capabilities: z.strictObject({
    encoders: z.array(z.string().regex(/^[a-z0-9_]{1,32}$/)).max(16),
    cores: z.number().int().min(1).max(4096),
    slots: z.number().int().min(0).max(4096),
  }),
  /** Encode tasks running on it now. */
  running: z.number().int().min(0).max(4096),
  /** The app's version and the farm protocol it speaks (absent from nodes that predate them). */
  version: z.string().min(1).max(64).optional(),
  protocol: z.number().int().min(0).max(9999).optional(),
  /** Whether it takes work now, and why not (paused, draining, outside its hours, its user is there). */
  mode: z
    .object({
      state: z.enum(['online', 'paused', 'draining', 'yielding']),
      reason: z.string().max(300).nullable(),
    })
    .optional(),
});

export type HelloInfo = z.infer<typeof helloInfoSchema>;

export const coordinatorClaimSchema = z.strictObject({ id: nodeId, term });
export type CoordinatorClaim = z.infer<typeof coordinatorClaimSchema>;

export function parseHelloInfo(value: unknown): HelloInfo {
  return helloInfoSchema.parse(value);
}

export function parseCoordinatorClaim(value: unknown): CoordinatorClaim {
  return coordinatorClaimSchema.parse(value);
}
