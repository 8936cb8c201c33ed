import { describe, expect, it } from 'vitest';
import { parseVfoEvent } from './vfo-event.ts';

describe('parseVfoEvent', () => {
  it('accepts job, step, progress, warning and farm events', () => {
    expect(parseVfoEvent('{"type":"job","jobId":"a","status":"done"}')).toEqual({
      type: 'job',
      jobId: 'a',
      status: 'done',
    });
    expect(parseVfoEvent('{"type":"progress","jobId":"a","stepKey":"video","fraction":0.5}')?.type).toBe(
      'progress',
    );
    expect(parseVfoEvent('{"type":"farm","status":{"nodes":[]}}')?.type).toBe('farm');
  });

  it('drops anything else', () => {
    expect(parseVfoEvent('not json')).toBeNull();
    expect(parseVfoEvent('null')).toBeNull();
    expect(parseVfoEvent('{"type":"hack","jobId":"a"}')).toBeNull();
    expect(parseVfoEvent('{"type":"job"}')).toBeNull();
    expect(parseVfoEvent('{"type":"farm"}')).toBeNull();
  });
});
