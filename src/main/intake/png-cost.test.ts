import { describe, expect, it } from 'vitest';
import { pngHeader as head } from './png-cost.fixture.ts';
import { pngDecodeCost } from './png-cost.ts';

describe('pngDecodeCost', () => {
  it('counts the bytes a PNG decodes to, by its size, bit depth and colour type', () => {
    expect(pngDecodeCost(head(100, 10, 16, 6))?.bytes).toBe(100 * 10 * 8);
    expect(pngDecodeCost(head(100, 10, 8, 2))?.bytes).toBe(100 * 10 * 3);
    expect(pngDecodeCost(head(100, 10, 16, 0))?.bytes).toBe(100 * 10 * 2);
    // A palette, and fewer than 8 bits a pixel, decode to a byte a pixel.
    expect(pngDecodeCost(head(100, 10, 4, 3))?.bytes).toBe(100 * 10);
    expect(pngDecodeCost(head(100, 10, 1, 0))?.bytes).toBe(100 * 10);
  });

  it('says nothing of what is not a PNG, or too short to tell', () => {
    expect(pngDecodeCost(Buffer.from('GIF89a and more bytes than a header'))).toBeNull();
    expect(pngDecodeCost(head(100, 10, 8, 6).subarray(0, 20))).toBeNull();
  });
});
