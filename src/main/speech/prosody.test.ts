import { describe, expect, it } from 'vitest';
import { SpeechError } from './errors.ts';
import {
  espeakPitch,
  espeakWordsPerMinute,
  pitchSemitones,
  rateMultiplier,
  sayPitchCommand,
  sayWordsPerMinute,
} from './prosody.ts';

function kindOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    return error instanceof SpeechError ? error.kind : 'not a SpeechError';
  }
  return undefined;
}

describe('rateMultiplier', () => {
  it('reads SSML percentages, Azure multipliers and named rates', () => {
    expect(rateMultiplier(undefined)).toBe(1);
    expect(rateMultiplier('+10%')).toBeCloseTo(1.1, 10);
    expect(rateMultiplier('-20%')).toBeCloseTo(0.8, 10);
    expect(rateMultiplier('+1.5%')).toBeCloseTo(1.015, 10);
    expect(rateMultiplier('1.2')).toBeCloseTo(1.2, 10);
    expect(rateMultiplier('slow')).toBe(0.64);
  });

  it('rejects what it cannot honour with a clear, typed error', () => {
    expect(kindOf(() => rateMultiplier('quick'))).toBe('invalid-prosody');
    expect(kindOf(() => rateMultiplier('-100%'))).toBe('invalid-prosody');
    expect(() => rateMultiplier('quick')).toThrow(/"quick".*"\+10%"/);
  });
});

describe('pitchSemitones', () => {
  it('reads semitones, percentages (as a frequency ratio) and named pitches', () => {
    expect(pitchSemitones(undefined)).toBe(0);
    expect(pitchSemitones('-2st')).toBe(-2);
    expect(pitchSemitones('+100%')).toBeCloseTo(12, 10);
    expect(pitchSemitones('+5%')).toBeCloseTo(0.8447, 3);
    expect(pitchSemitones('high')).toBeCloseTo(12 * Math.log2(1.25), 10);
  });

  it('rejects Hz and impossible values', () => {
    expect(kindOf(() => pitchSemitones('+10Hz'))).toBe('invalid-prosody');
    expect(kindOf(() => pitchSemitones('-100%'))).toBe('invalid-prosody');
  });
});

describe('engine mappings', () => {
  it('maps rate to espeak-ng words per minute around the base, within 80..450', () => {
    expect(espeakWordsPerMinute(undefined, 175)).toBe(175);
    expect(espeakWordsPerMinute('+10%', 175)).toBe(193);
    expect(espeakWordsPerMinute('+200%', 175)).toBe(450);
    expect(espeakWordsPerMinute('-80%', 175)).toBe(80);
  });

  it('maps pitch to espeak-ng -p with 50 steps per octave around 50', () => {
    expect(espeakPitch(undefined)).toBe(50);
    expect(espeakPitch('+2st')).toBe(58);
    expect(espeakPitch('-6st')).toBe(25);
    expect(espeakPitch('+12st')).toBe(99);
    expect(espeakPitch('-12st')).toBe(0);
  });

  it('maps rate to say -r and pitch to a relative pbas command', () => {
    expect(sayWordsPerMinute('+20%', 175)).toBe(210);
    expect(sayPitchCommand(undefined)).toBe('');
    expect(sayPitchCommand('+0%')).toBe('');
    expect(sayPitchCommand('+2st')).toBe('[[pbas +2]] ');
    expect(sayPitchCommand('-5%')).toBe('[[pbas -0.89]] ');
  });
});
