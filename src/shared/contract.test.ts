import { describe, expect, it } from 'vitest';
import { callableOverHttp, METHODS } from './contract.ts';

describe('callableOverHttp', () => {
  it('keeps choosing an executable and setting keys off the LAN API, and allows the rest of the contract', () => {
    expect(callableOverHttp('settings.setFfmpegPath')).toBe(false);
    expect(callableOverHttp('jobs.list')).toBe(true);
    expect(callableOverHttp('nope.nothing')).toBe(false);
    expect(callableOverHttp('settings.setSecret')).toBe(false);
    // Where a Mac's farm work goes (which Redis) is that Mac's own decision.
    expect(callableOverHttp('settings.setFarmQueue')).toBe(false);
    expect(METHODS.filter((m) => !callableOverHttp(m))).toEqual([
      'settings.setFfmpegPath',
      'settings.setFarmQueue',
      'settings.setSecret',
    ]);
  });
});
