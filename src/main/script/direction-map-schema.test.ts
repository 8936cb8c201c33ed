import { describe, expect, it } from 'vitest';
import { DEFAULT_DIRECTION_MAPS } from './default-directions.ts';
import { validateDirectionMap } from './direction-map-schema.ts';

describe('validateDirectionMap', () => {
  it('accepts the built-in maps', () => {
    for (const map of Object.values(DEFAULT_DIRECTION_MAPS)) {
      expect(validateDirectionMap(JSON.parse(JSON.stringify(map)))).toEqual({ ok: true, map });
    }
  });

  it('rejects bad entries with their path', () => {
    const result = validateDirectionMap({
      pause: { kind: 'pause', defaultMs: 60_000 },
      crawl: { kind: 'prosody', rate: '-90%' },
      nothing: { kind: 'prosody' },
      fancy: { kind: 'style', style: 'not a style' },
      'two words': { kind: 'image' },
      weird: { kind: 'teleport' },
    });
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors;
    for (const path of [
      'pause.defaultMs',
      'crawl.rate',
      'nothing',
      'fancy.style',
      'two words',
      'weird.kind',
    ]) {
      expect(errors.some((e) => e.startsWith(`${path}:`))).toBe(true);
    }
  });

  it('rejects two spellings of one word, which would be ambiguous', () => {
    const result = validateDirectionMap({ rápido: { kind: 'rate' }, rapido: { kind: 'pitch' } });
    expect(result).toEqual({ ok: false, errors: ['rapido: "rapido" and "rápido" are the same word'] });
  });

  it('rejects non-objects', () => {
    expect(validateDirectionMap(null).ok).toBe(false);
    expect(validateDirectionMap(['pause']).ok).toBe(false);
  });
});
