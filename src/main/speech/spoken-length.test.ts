import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readVideoFacts } from '../ffmpeg/verify.ts';
import { parseScriptText } from '../script/parser.ts';
import type { Prosody, ScriptDocument } from '../script/types.ts';
import { createEspeakSynthesizer } from './espeak.ts';
import { synthesizeNarration } from './narration.ts';
import {
  checkSpokenLength,
  countWords,
  estimateSpokenLength,
  formatLength,
  type NarrationEngine,
} from './spoken-length.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vf-length-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function parse(text: string, language = 'en-US'): ScriptDocument {
  const result = parseScriptText(text, join(dir, 'script.md'), { language });
  if (!result.ok) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  return result.document;
}

/** Ten words, so at Azure's 150 words a minute exactly four seconds. */
const TEN_WORDS = 'One two three four five six seven eight nine ten.';
const azure = (prosody: Prosody = {}) => ({ engine: 'azure' as NarrationEngine, prosody });

describe('countWords', () => {
  // Found by attacking scripts: 1,100 digits were one word (estimated 4 s, spoken 257 s), so a 2 MB
  // script of digits passed the check made before any speech.
  it('counts each digit as a word, and a long run of letters by its length', () => {
    expect(countWords('One two three.')).toBe(3);
    expect(countWords('In 2026, — the year.')).toBe(7);
    expect(countWords('7'.repeat(1100))).toBe(1100);
    expect(countWords('a'.repeat(120))).toBe(10);
    // Each symbol is read aloud by name (found by attacking scripts: a ™ counted as nothing).
    expect(countWords(`x${'™'.repeat(50)}`)).toBe(51);
    expect(countWords('5 € + 3 € = 8 € 🎉')).toBe(9);
    expect(countWords('  — …  ')).toBe(0);
  });
});

describe('estimateSpokenLength', () => {
  it('scales each sentence by its rate: the preset rate, replaced by [rate], [slow] and [fast]', () => {
    const one = (text: string, prosody: Prosody = {}) =>
      estimateSpokenLength(parse(`# A\n\n${text}\n`), azure(prosody)).totalMs;
    expect(one(TEN_WORDS)).toBe(4000);
    expect(one(`[slow] ${TEN_WORDS}`)).toBe(5000); // -20 %
    expect(one(`[fast] ${TEN_WORDS}`)).toBe(Math.round(4000 / 1.2));
    expect(one(`[rate +100%] ${TEN_WORDS}`)).toBe(2000);
    expect(one(TEN_WORDS, { rate: '-50%' })).toBe(8000);
    // A sentence's own rate replaces the preset's, as the engines are asked.
    expect(one(`[rate +100%] ${TEN_WORDS}`, { rate: '-50%' })).toBe(2000);
    expect(one(`${TEN_WORDS} [pause 700ms]`)).toBe(4700);
  });

  it('adds the silences the narration puts between sentences and scenes, and counts empty scenes', () => {
    const doc = parse(`# A\n\n${TEN_WORDS}\n\n${TEN_WORDS}\n\n# B\n\n[pause 1s]\n\n# C\n\n${TEN_WORDS}\n`);
    // 4 s + 150 ms + 4 s | 400 ms + 1 s pause | 400 ms + 4 s
    expect(estimateSpokenLength(doc, azure()).totalMs).toBe(4000 + 150 + 4000 + 400 + 1000 + 400 + 4000);
    const empty = parse(`# A\n\n${TEN_WORDS}\n\n# B\n\n# C\n\n${TEN_WORDS}\n`);
    expect(estimateSpokenLength(empty, azure()).totalMs).toBe(4000 + 400 + 1500 + 400 + 4000);
  });

  it('follows the offline engines as they clamp the rate (espeak-ng takes 80..450 words a minute)', () => {
    const doc = parse(`# A\n\n${TEN_WORDS}\n`);
    const espeak = (rate?: string) =>
      estimateSpokenLength(doc, { engine: 'espeak-ng', prosody: rate ? { rate } : {} }).totalMs;
    expect(espeak('-40%')).toBeCloseTo(espeak() / 0.6, -1);
    // 175 × 0.3 = 52 words a minute is below what espeak-ng accepts: it speaks at 80.
    expect(espeak('-70%')).toBeCloseTo((espeak() * 175) / 80, -1);
  });
});

describe('checkSpokenLength', () => {
  it('points at the sentence where the estimated narration passes the limit', () => {
    const lines = [
      '# First',
      '',
      TEN_WORDS,
      '',
      TEN_WORDS,
      '',
      TEN_WORDS,
      '',
      '# Second',
      '',
      TEN_WORDS,
      '',
      TEN_WORDS,
    ];
    const doc = parse(`${lines.join('\n')}\n`);
    // Scene one ends at 12.3 s; scene two's first sentence ends at 16.7 s, its second at 20.85 s.
    const { estimate, problem } = checkSpokenLength(doc, { provider: 'azure', prosody: {} }, 20_000);
    expect(estimate.totalMs).toBe(20_850);
    expect(problem).toMatchObject({ file: doc.file, line: 13, col: 1, severity: 'error' });
    expect(problem?.message).toContain('a video may last at most 20 s');
    expect(problem?.message).toContain('scene "Second"');
    expect(checkSpokenLength(doc, { provider: 'azure', prosody: {} }, 21_000).problem).toBeUndefined();
  });

  it('says hours and minutes', () => {
    expect(formatLength(6 * 3600_000)).toBe('6 h');
    expect(formatLength(7 * 3600_000 + 12 * 60_000)).toBe('7 h 12 min');
    expect(formatLength(45 * 60_000)).toBe('45 min');
    expect(formatLength(12_000)).toBe('12 s');
    expect(formatLength(77_400)).toBe('1 min 17 s');
    expect(formatLength(60_000)).toBe('1 min');
  });
});

/**
 * The calibration: the estimate against what espeak-ng really speaks, measured with ffprobe on the
 * narration it made. Several paragraphs and scenes, pauses, a quoted line and numbers, as scripts have.
 */
const ENGLISH = `---
title: How bees talk
---

# The dance floor

The honey bee is one of the most studied insects in the world. When a forager finds a rich patch of
flowers, she returns to the hive and performs a dance on the vertical comb. [pause 500ms]

The angle of the dance tells her sisters the direction of the food relative to the sun, and the length
of the waggle run tells them how far away it is.

# Decoding the language

Scientists spent decades decoding this language. Karl von Frisch won a Nobel prize for it in 1973.
"Follow me," the dance seems to say, "and bring your friends."

[cheerful] They are still finding new details today, from the sounds bees make to the way a swarm
chooses a new home. Some scouts even head-butt dancers who advertise a dangerous site.

# Why it matters

Bees pollinate a third of the food we eat. Knowing how they share information helps farmers place hives,
and helps all of us understand how a society without a leader can make good decisions together.
`;

const SPANISH = `# El baile

La abeja melífera es uno de los insectos más estudiados del mundo. Cuando una recolectora encuentra un
buen campo de flores, vuelve a la colmena y baila sobre el panal.

El ángulo del baile indica a sus hermanas la dirección del alimento respecto al sol, y la duración del
meneo les dice a qué distancia está. [pausa 400ms]

# El lenguaje

Los científicos tardaron décadas en descifrar este lenguaje, y todavía hoy encuentran detalles nuevos.
`;

async function spokenMs(document: ScriptDocument, voice: string, prosody: Prosody): Promise<number> {
  const outPath = join(dir, `narration-${voice}-${prosody.rate ?? '0'}.wav`);
  await synthesizeNarration({
    document,
    synthesizer: createEspeakSynthesizer(),
    voiceFor: () => voice,
    baseProsody: prosody,
    workDir: join(dir, 'parts'),
    outPath,
  });
  const { durationMs } = await readVideoFacts('ffprobe', 'ffmpeg', outPath);
  return durationMs as number;
}

describe('the estimate against real espeak-ng narrations (ffprobe)', () => {
  const cases: { name: string; text: string; voice: string; language: string; prosody: Prosody }[] = [
    { name: 'English', text: ENGLISH, voice: 'en-us+f3', language: 'en-US', prosody: {} },
    // Much slower, with a faster last scene: a rate ignored would be off by far more than 25 %.
    {
      name: 'English at -40 %, its last scene at [rate +50%]',
      text: ENGLISH.replace('# Why it matters\n\n', '# Why it matters\n\n[rate +50%] '),
      voice: 'en-us+f3',
      language: 'en-US',
      prosody: { rate: '-40%' },
    },
    { name: 'Spanish', text: SPANISH, voice: 'es-419', language: 'es-MX', prosody: {} },
  ];
  for (const c of cases) {
    it(`is within 25 % of the real length: ${c.name}`, async () => {
      const document = parse(c.text, c.language);
      const real = await spokenMs(document, c.voice, c.prosody);
      const estimated = estimateSpokenLength(document, { engine: 'espeak-ng', prosody: c.prosody }).totalMs;
      expect(real).toBeGreaterThan(20_000);
      expect(Math.abs(estimated - real) / real).toBeLessThan(0.25);
    });
  }
});
