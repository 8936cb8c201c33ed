import { describe, expect, it } from 'vitest';
import { pngDecodeCost } from './png-cost.ts';

function head(width: number, height: number, bitDepth: number, colourType: number): Buffer {
  const buffer = Buffer.alloc(26);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(buffer, 0);
  buffer.writeUInt32BE(13, 8);
  buffer.write('IHDR', 12, 'latin1');
  buffer.writeUInt32BE(width, 16);
  buffer.writeUInt32BE(height, 20);
  buffer.writeUInt8(bitDepth, 24);
  buffer.writeUInt8(colourType, 25);
  return buffer;
}

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
