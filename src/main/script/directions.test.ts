import { describe, expect, it } from 'vitest';
import { DEFAULT_DIRECTION_MAPS, defaultDirectionMap } from './default-directions.ts';
import {
  compileDirectionMap,
  type DirectionOutcome,
  interpretDirection,
  normalizeWord,
} from './directions.ts';
import type { DirectionMap } from './types.ts';

const english = compileDirectionMap(DEFAULT_DIRECTION_MAPS.en);
const run = (content: string, map = english): DirectionOutcome => interpretDirection(content, map);
const action = (content: string, map = english) => {
  const outcome = run(content, map);
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.action;
};
const failure = (content: string, map = english): string => {
  const outcome = run(content, map);
  if (outcome.ok) throw new Error(`expected "[${content}]" to fail`);
  return outcome.message;
};

describe('pause', () => {
  it.each([
    ['pause', 500],
    ['break', 500],
    ['pause 700ms', 700],
    ['pause 1.5s', 1500],
    ['pause 2 s', 2000],
    ['PAUSE 1,5 seconds', 1500],
    ['pause 10s', 10_000],
    ['pause 1ms', 1],
  ])('[%s] → %d ms', (content, ms) => {
    expect(action(content)).toEqual({ kind: 'pause', ms });
  });

  it.each(['pause 11s', 'pause 0ms', 'pause 0.0001s', 'pause 99999ms'])('[%s] is absurd', (content) => {
    expect(failure(content)).toBe(`absurd value in "[${content}]": a pause must be between 1 ms and 10 s`);
  });

  it('needs a unit', () => {
    expect(failure('pause 2')).toContain('pause length must look like "700ms" or "1.5s"');
    expect(failure('pause soon')).toContain('pause length must look like');
  });
});

describe('style', () => {
  it('fixed and named styles, with and without degree', () => {
    expect(action('cheerful')).toEqual({ kind: 'style', style: { name: 'cheerful' } });
    expect(action('Cheerful 1.5')).toEqual({ kind: 'style', style: { name: 'cheerful', degree: 1.5 } });
    expect(action('style cheerful')).toEqual({ kind: 'style', style: { name: 'cheerful' } });
    expect(action('style narration-professional 0.5')).toEqual({
      kind: 'style',
      style: { name: 'narration-professional', degree: 0.5 },
    });
    expect(action('whisper')).toEqual({ kind: 'style', style: { name: 'whispering' } });
  });

  it('resets with [default], [normal] and [style default]', () => {
    for (const content of ['default', 'normal', 'style default']) {
      expect(action(content)).toEqual({ kind: 'style', style: undefined });
    }
  });

  it.each(['cheerful 0', 'cheerful 2.5', 'style sad 3', 'cheerful 0.001'])(
    '[%s] has an absurd degree',
    (content) => {
      expect(failure(content)).toBe(
        `absurd value in "[${content}]": style degree must be between 0.01 and 2`,
      );
    },
  );

  it('rejects bad degrees, names and stray arguments', () => {
    expect(failure('cheerful very')).toContain('style degree must be a number like 1.5');
    expect(failure('style 9lives')).toContain('invalid style name "9lives"');
    expect(failure('style')).toContain('needs a style name');
    expect(failure('default please')).toBe('unexpected "please" in "[default please]"');
  });
});

describe('prosody', () => {
  it.each([
    ['rate +10%', { rate: '+10%' }],
    ['rate -20%', { rate: '-20%' }],
    ['rate 15%', { rate: '+15%' }],
    ['rate +100%', { rate: '+100%' }],
    ['rate 0%', { rate: null }],
    ['rate default', { rate: null }],
    ['pitch +5%', { pitch: '+5%' }],
    ['pitch -2st', { pitch: '-2st' }],
    ['pitch +12st', { pitch: '+12st' }],
    ['pitch normal', { pitch: null }],
    // Found by attacking scripts: "+1e-7%" passed the check and the voice refused it at narration.
    ['rate +0.0000001%', { rate: null }],
    ['pitch -0.0000001%', { pitch: null }],
    ['rate +12.345%', { rate: '+12.35%' }],
    ['pitch -0,5st', { pitch: '-0.5st' }],
    ['slow', { rate: '-20%' }],
    ['fast', { rate: '+20%' }],
    ['higher', { pitch: '+10%' }],
    ['lower', { pitch: '-10%' }],
  ])('[%s]', (content, expected) => {
    expect(action(content)).toEqual({ kind: 'prosody', ...expected });
  });

  it.each(['rate +101%', 'rate -51%', 'rate +500%'])('[%s] is absurd', (content) => {
    expect(failure(content)).toBe(`absurd value in "[${content}]": rate must be between -50% and +100%`);
  });

  it.each(['pitch +51%', 'pitch -13st', 'pitch 100%'])('[%s] is absurd', (content) => {
    expect(failure(content)).toBe(
      `absurd value in "[${content}]": pitch must be between -50% and +50% (or -12st and +12st)`,
    );
  });

  it('rejects malformed values', () => {
    expect(failure('rate fast')).toContain('rate must be a percentage');
    expect(failure('pitch 5hz')).toContain('pitch must look like "+5%" or "-2st"');
    expect(failure('slow down')).toBe('unexpected "down" in "[slow down]"');
  });
});

describe('voice and image', () => {
  it('switches and resets voices', () => {
    expect(action('voice narrator-2')).toEqual({ kind: 'voice', voice: 'narrator-2' });
    expect(action('voice en-US-GuyNeural')).toEqual({ kind: 'voice', voice: 'en-US-GuyNeural' });
    expect(action('voice default')).toEqual({ kind: 'voice', voice: undefined });
    expect(failure('voice')).toContain('needs a voice');
    expect(failure('voice two words')).toContain('invalid voice "two words"');
  });

  it('keeps image paths with spaces whole', () => {
    expect(action('image my pictures/intro shot.png')).toEqual({
      kind: 'image',
      path: 'my pictures/intro shot.png',
    });
    expect(failure('image')).toContain('needs a file');
  });
});

describe('unknown and empty directions', () => {
  it('suggests close words', () => {
    expect(failure('paus 2s')).toBe('unknown stage direction "[paus 2s]"; did you mean "pause"?');
    expect(failure('cheerfull')).toBe('unknown stage direction "[cheerfull]"; did you mean "cheerful"?');
  });

  it('lists known words when nothing is close', () => {
    const message = failure('Thunder rolls');
    expect(message).toMatch(
      /^unknown stage direction "\[Thunder rolls\]"; known directions: angry, break, calm/,
    );
  });

  it('rejects empty brackets', () => {
    expect(failure('')).toBe('empty stage direction "[]"');
    expect(failure('   ')).toBe('empty stage direction "[]"');
  });

  it('shortens huge contents in messages', () => {
    expect(failure(`x${'y'.repeat(5000)}`).length).toBeLessThan(400);
  });
});

describe('vocabularies', () => {
  it('picks the built-in map by language', () => {
    expect(defaultDirectionMap('es-MX')).toBe(DEFAULT_DIRECTION_MAPS.es);
    expect(defaultDirectionMap('pt_BR')).toBe(DEFAULT_DIRECTION_MAPS.pt);
    expect(defaultDirectionMap('PT')).toBe(DEFAULT_DIRECTION_MAPS.pt);
    expect(defaultDirectionMap('fr-FR')).toBe(DEFAULT_DIRECTION_MAPS.en);
    expect(defaultDirectionMap()).toBe(DEFAULT_DIRECTION_MAPS.en);
  });

  it('has the required English words', () => {
    const words =
      'pause break style default normal cheerful sad excited whispering calm serious angry hopeful slow fast rate pitch higher lower voice image';
    for (const word of words.split(' ')) expect(DEFAULT_DIRECTION_MAPS.en).toHaveProperty(word);
  });

  it('understands Spanish, with or without accents', () => {
    const spanish = compileDirectionMap(DEFAULT_DIRECTION_MAPS.es);
    expect(action('pausa 1,5 segundos', spanish)).toEqual({ kind: 'pause', ms: 1500 });
    expect(action('alegre', spanish)).toEqual({ kind: 'style', style: { name: 'cheerful' } });
    expect(action('estilo triste 0.5', spanish)).toEqual({
      kind: 'style',
      style: { name: 'sad', degree: 0.5 },
    });
    expect(action('susurro', spanish)).toEqual({ kind: 'style', style: { name: 'whispering' } });
    expect(action('rapido', spanish)).toEqual({ kind: 'prosody', rate: '+20%' });
    expect(action('RÁPIDO', spanish)).toEqual({ kind: 'prosody', rate: '+20%' });
    expect(action('lento', spanish)).toEqual({ kind: 'prosody', rate: '-20%' });
    expect(action('velocidad -10%', spanish)).toEqual({ kind: 'prosody', rate: '-10%' });
    expect(action('tono +1st', spanish)).toEqual({ kind: 'prosody', pitch: '+1st' });
    expect(action('voz predeterminado', spanish)).toEqual({ kind: 'voice', voice: undefined });
    expect(action('imagen foto.png', spanish)).toEqual({ kind: 'image', path: 'foto.png' });
    expect(failure('pause', spanish)).toContain('did you mean "pausa"?');
  });

  it('understands Portuguese, with or without accents', () => {
    const portuguese = compileDirectionMap(DEFAULT_DIRECTION_MAPS.pt);
    expect(action('pausa 300ms', portuguese)).toEqual({ kind: 'pause', ms: 300 });
    expect(action('sussurro', portuguese)).toEqual({ kind: 'style', style: { name: 'whispering' } });
    expect(action('estilo alegre', portuguese)).toEqual({ kind: 'style', style: { name: 'cheerful' } });
    expect(action('estilo gentle', portuguese)).toEqual({ kind: 'style', style: { name: 'gentle' } });
    expect(action('serio', portuguese)).toEqual({ kind: 'style', style: { name: 'serious' } });
    expect(action('rápido', portuguese)).toEqual({ kind: 'prosody', rate: '+20%' });
    expect(action('velocidade +30%', portuguese)).toEqual({ kind: 'prosody', rate: '+30%' });
    expect(action('tom -5%', portuguese)).toEqual({ kind: 'prosody', pitch: '-5%' });
    expect(action('voz locutor-2', portuguese)).toEqual({ kind: 'voice', voice: 'locutor-2' });
    expect(action('imagem capa.webp', portuguese)).toEqual({ kind: 'image', path: 'capa.webp' });
    expect(action('padrao', portuguese)).toEqual({ kind: 'style', style: undefined });
  });

  it('uses only the configured words of a custom map', () => {
    const custom: DirectionMap = {
      hush: { kind: 'style', style: 'whispering' },
      beat: { kind: 'pause', defaultMs: 250 },
      zoom: { kind: 'prosody', rate: '+50%' },
    };
    const vocabulary = compileDirectionMap(custom);
    expect(action('hush', vocabulary)).toEqual({ kind: 'style', style: { name: 'whispering' } });
    expect(action('beat', vocabulary)).toEqual({ kind: 'pause', ms: 250 });
    expect(action('zoom', vocabulary)).toEqual({ kind: 'prosody', rate: '+50%' });
    expect(failure('pause', vocabulary)).toBe(
      'unknown stage direction "[pause]"; known directions: beat, hush, zoom',
    );
  });

  it('turns a bad configured value into a located-able error instead of trusting it', () => {
    const vocabulary = compileDirectionMap({ crawl: { kind: 'prosody', rate: '-90%' } });
    expect(failure('crawl', vocabulary)).toContain('absurd value in "[crawl]"');
  });

  it('normalises case and accents', () => {
    expect(normalizeWord('Rápido')).toBe('rapido');
    expect(normalizeWord('PADRÃO')).toBe('padrao');
    expect(normalizeWord('sério')).toBe('serio');
  });
});
