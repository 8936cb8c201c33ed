import { describe, expect, it } from 'vitest';
import { parseRoute, routeToHash } from './routes.ts';

describe('routes', () => {
  it('parses every screen', () => {
    expect(parseRoute('')).toEqual({ screen: 'jobs' });
    expect(parseRoute('#/jobs')).toEqual({ screen: 'jobs' });
    expect(parseRoute('#/jobs/01HX-abc_9')).toEqual({ screen: 'job', jobId: '01HX-abc_9' });
    expect(parseRoute('#/farm')).toEqual({ screen: 'farm' });
    expect(parseRoute('#/dashboard')).toEqual({ screen: 'dashboard' });
    expect(parseRoute('#library')).toEqual({ screen: 'library' });
    expect(parseRoute('#/settings/')).toEqual({ screen: 'settings' });
  });

  it('falls back to the jobs screen for anything unknown or malformed', () => {
    expect(parseRoute('#/nope')).toEqual({ screen: 'jobs' });
    expect(parseRoute('#/jobs/<script>')).toEqual({ screen: 'jobs' });
  });

  it('round-trips', () => {
    for (const hash of ['#/jobs', '#/jobs/abc123', '#/farm', '#/dashboard', '#/library', '#/settings']) {
      expect(routeToHash(parseRoute(hash))).toBe(hash);
    }
  });
});
