import { describe, expect, it } from 'vitest';
import { callableOverHttp, METHODS } from './contract.ts';

describe('callableOverHttp', () => {
  it('keeps choosing an executable and setting keys off the LAN API, and allows the rest of the contract', () => {
    expect(callableOverHttp('settings.setFfmpegPath')).toBe(false);
    expect(callableOverHttp('jobs.list')).toBe(true);
    expect(callableOverHttp('nope.nothing')).toBe(false);
    expect(callableOverHttp('settings.setSecret')).toBe(false);
    expect(METHODS.filter((m) => !callableOverHttp(m))).toEqual([
      'settings.setFfmpegPath',
      'settings.setSecret',
    ]);
  });
});
