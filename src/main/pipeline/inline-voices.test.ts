import { describe, expect, it } from 'vitest';
import type { ScriptDocument } from '../script/types.ts';
import { azureVoiceName, inlineVoiceProblems } from './inline-voices.ts';

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

  // Found by attacking the speech path: the slug of an offline preset was sent to Azure as a voice.
  describe('in a job Azure speaks', () => {
    const presets: Record<string, Record<string, string>> = {
      'offline-es': { espeak: 'es' },
      'azure-es': { azure: 'es-ES-ElviraNeural', espeak: 'es' },
    };
    const voiceNamesOf = (slug: string) => presets[slug];
    const problemsWith = (voice: string) =>
      inlineVoiceProblems(
        withSwitchTo(voice),
        { provider: 'azure' },
        { offlineSynthesizer: () => Promise.reject(new Error('not asked')), voiceNamesOf },
      );

    it('refuses, where it is first switched to, a preset that gives Azure no name', async () => {
      expect(await problemsWith('offline-es')).toEqual([
        expect.objectContaining({
          line: 3,
          col: 26,
          severity: 'error',
          message: expect.stringMatching(/"offline-es" names no Azure voice/),
        }),
      ]);
    });

    it("takes a preset with an Azure name, and a name that is no preset as one of Azure's", async () => {
      expect(await problemsWith('azure-es')).toEqual([]);
      expect(await problemsWith('en-GB-RyanNeural')).toEqual([]);
    });

    it('names each voice to Azure as the SSML will, and never sends a slug as a voice', () => {
      const name = azureVoiceName(voiceNamesOf);
      expect(name('azure-es')).toBe('es-ES-ElviraNeural');
      expect(name('en-GB-RyanNeural')).toBe('en-GB-RyanNeural');
      expect(() => name('offline-es')).toThrow(/"offline-es" names no Azure voice/);
    });
  });
});

function withSwitchTo(voice: string): ScriptDocument {
  const [scene] = document.scenes;
  if (!scene) throw new Error('the fixture has a scene');
  return {
    ...document,
    scenes: [{ ...scene, items: scene.items.map((i, n) => (n === 1 ? { ...i, voice } : i)) }],
  } as ScriptDocument;
}
