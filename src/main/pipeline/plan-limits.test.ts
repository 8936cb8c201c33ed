import { describe, expect, it } from 'vitest';
import { StepError } from '../engine/errors.ts';
import type { VideoSettings } from '../engine/job-settings.ts';
import type { ScriptDocument } from '../script/types.ts';
import { checkMaxDuration, planTransition } from './plan-limits.ts';

const video = (fields: Partial<VideoSettings>) => ({ slug: 'shorts-vertical', ...fields }) as VideoSettings;
const document = (transition?: string) => ({ meta: transition ? { transition } : {} }) as ScriptDocument;

describe('plan limits from the video preset', () => {
  it('takes the front matter’s transition over the preset’s, and cuts when neither names one', () => {
    expect(planTransition(document('fade 0.5s'), video({ transition: 'crossfade 300ms' }))).toEqual({
      kind: 'fade',
      durationMs: 500,
    });
    expect(planTransition(document(), video({ transition: 'crossfade 300ms' }))).toEqual({
      kind: 'crossfade',
      durationMs: 300,
    });
    expect(planTransition(document('cut'), video({ transition: 'crossfade 300ms' }))).toBeUndefined();
    // A job frozen before presets had transitions.
    expect(planTransition(document(), video({}))).toBeUndefined();
  });

  it('fails for good, naming both lengths, when the narration is longer than the preset allows', () => {
    expect(() => checkMaxDuration(60_000, video({ maxDurationSeconds: 60 }))).not.toThrow();
    expect(() => checkMaxDuration(3_600_000, video({ maxDurationSeconds: null }))).not.toThrow();
    expect(() => checkMaxDuration(3_600_000, video({}))).not.toThrow();
    const error = (() => {
      try {
        checkMaxDuration(75_000, video({ maxDurationSeconds: 60 }));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(StepError);
    expect((error as StepError).kind).toBe('invalid-input');
    expect((error as StepError).message).toBe(
      'the narration is 75 s long; the video preset "shorts-vertical" allows at most 60 s',
    );
  });
});
