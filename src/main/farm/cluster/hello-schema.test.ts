import { describe, expect, it } from 'vitest';
import { parseHelloInfo } from './hello-schema.ts';

const HELLO = {
  id: 'node-1',
  name: 'studio',
  role: 'candidate',
  term: 3,
  coordinatorId: null,
  url: 'http://127.0.0.1:4870',
  capabilities: { encoders: ['libx264'], cores: 8, slots: 1 },
  running: 0,
};

describe('hello answers across app versions of one protocol', () => {
  it('reads a hello from a node that predates versions (no version, protocol or mode)', () => {
    expect(parseHelloInfo(HELLO)).toEqual(HELLO);
  });

  it('reads version, protocol and mode, and drops what a newer node adds', () => {
    const newer = {
      ...HELLO,
      version: '2.0.0',
      protocol: 1,
      mode: { state: 'yielding', reason: 'outside its render hours (22:00-07:00)' },
      somethingNew: { gpu: 'M4' },
    };
    const parsed = parseHelloInfo(newer);
    expect(parsed).toMatchObject({ version: '2.0.0', protocol: 1, mode: { state: 'yielding' } });
    expect(parsed).not.toHaveProperty('somethingNew');
  });

  it('still refuses what it does know when it is wrong', () => {
    expect(() => parseHelloInfo({ ...HELLO, protocol: 'two' })).toThrow();
    expect(() => parseHelloInfo({ ...HELLO, mode: { state: 'asleep', reason: null } })).toThrow();
    expect(() => parseHelloInfo({ ...HELLO, version: 'x'.repeat(65) })).toThrow();
  });
});
