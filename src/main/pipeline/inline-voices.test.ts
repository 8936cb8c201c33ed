import { describe, expect, it } from 'vitest';
import type { ScriptDocument } from '../script/types.ts';
import { inlineVoiceProblems } from './inline-voices.ts';

const document = {
  file: 'talk.md',
  meta: {},
  warnings: [],
  scenes: [
    {
      index: 0,
      title: 'A',
      line: 1,
      items: [
        { kind: 'speech', text: 'Hello.', prosody: {}, line: 3, col: 1 },
        { kind: 'speech', text: 'Hola.', voice: 'offline-es', prosody: {}, line: 3, col: 26 },
      ],
    },
  ],
} as unknown as ScriptDocument;

describe('the voices a script switches to', () => {
  // Found by a review: without espeak-ng, `vfo check` stopped with an error and no place.
  it('says so where a voice is first switched to when there is no offline voice to ask', async () => {
    const problems = await inlineVoiceProblems(
      document,
      { provider: 'offline' },
      {
        offlineSynthesizer: () => Promise.reject(new Error('no offline voice: install espeak-ng')),
        voiceNamesOf: () => undefined,
      },
    );
    expect(problems).toEqual([
      {
        line: 3,
        col: 26,
        severity: 'error',
        message: 'cannot look up the voice: no offline voice: install espeak-ng',
      },
    ]);
  });
});
