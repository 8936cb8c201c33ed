/**
 * How one scene gives way to the next: `cut`, `crossfade DURATION` or `fade DURATION` (through black),
 * e.g. "crossfade 800ms" or "fade 0.5s". One text grammar for a script's front matter and a video
 * preset's field, so what a user writes in the Library is what a script may write.
 */
import { z } from 'zod';

export const TRANSITION_KINDS = ['cut', 'crossfade', 'fade'] as const;

export const TRANSITION_LIMITS = {
  /** Shorter than this is no visible transition at any frame rate a preset allows. */
  minDurationMs: 10,
  /** Longer transitions blur whole sentences: a scene is rarely longer than a few seconds. */
  maxDurationMs: 5000,
} as const;

/** A transition that takes time; `cut` is the absence of one. */
export const TimedTransitionSchema = z.strictObject({
  kind: z.enum(['crossfade', 'fade']),
  durationMs: z.number().int().min(TRANSITION_LIMITS.minDurationMs).max(TRANSITION_LIMITS.maxDurationMs),
});
export type TimedTransition = z.infer<typeof TimedTransitionSchema>;

export type Transition = { kind: 'cut' } | TimedTransition;

export type TransitionParse = { ok: true; transition: Transition } | { ok: false; message: string };

const DURATION = /^(\d+(?:\.\d+)?)(ms|s)$/;

/** Reads `cut`, `crossfade 800ms`, `fade 0.5s`; the message says what is wrong in words a user can act on. */
export function parseTransition(text: string): TransitionParse {
  const words = text.trim().split(/\s+/);
  const kind = (words[0] ?? '').toLowerCase();
  if (!(TRANSITION_KINDS as readonly string[]).includes(kind)) {
    return {
      ok: false,
      message: `unknown transition "${words[0] ?? ''}"; expected cut, crossfade DURATION or fade DURATION`,
    };
  }
  if (kind === 'cut') {
    return words.length === 1
      ? { ok: true, transition: { kind: 'cut' } }
      : { ok: false, message: 'a cut takes no duration' };
  }
  const duration = words.length === 2 ? DURATION.exec((words[1] as string).toLowerCase()) : null;
  if (!duration) {
    return { ok: false, message: `${kind} needs a duration like "800ms" or "0.5s", e.g. "${kind} 800ms"` };
  }
  const value = Number(duration[1]);
  const durationMs = Math.round(duration[2] === 's' ? value * 1000 : value);
  const { minDurationMs, maxDurationMs } = TRANSITION_LIMITS;
  if (durationMs < minDurationMs || durationMs > maxDurationMs) {
    return {
      ok: false,
      message: `a ${kind} lasts ${minDurationMs}ms..${maxDurationMs / 1000}s, got ${durationMs}ms`,
    };
  }
  return { ok: true, transition: { kind: kind as TimedTransition['kind'], durationMs } };
}

/** A transition as text (a preset field): checked with the same grammar, the message on the field. */
export const TransitionTextSchema = z
  .string()
  .trim()
  .superRefine((text, ctx) => {
    const parsed = parseTransition(text);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
  });
