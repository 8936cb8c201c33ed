/**
 * What a PNG costs to decode, read from its header: ffprobe decodes a whole picture to describe it,
 * and a 2 MB PNG of 16384x16000 pixels in 16-bit RGBA took 2.1 GB and 31 s to probe (four at once,
 * 5.4 GB), then was called unreadable when its probe's time ran out. PNG only: it is the one format
 * whose pictures decode to more than 4 bytes a pixel (16 bits a channel); any other still within the
 * side limit decodes to at most 1 GB. The IHDR chunk is the first, at a fixed place (the PNG spec),
 * so eight bytes are read by hand: no library reads less.
 */
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Channels per PNG colour type (3, a palette, decodes to one byte a pixel). */
const CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** What a picture may decode to before any tool opens it. */
export const PICTURE_DECODE_BUDGET_BYTES = 1024 ** 3;

/** Bytes needed to tell (the signature and IHDR's width, height, bit depth and colour type). */
export const PNG_HEAD_BYTES = 26;

export interface PngCost {
  width: number;
  height: number;
  bitDepth: number;
  bytes: number;
}

/** Null when `head` is not the start of a PNG (other formats are left to the probe). */
export function pngDecodeCost(head: Buffer): PngCost | null {
  if (head.length < PNG_HEAD_BYTES || !head.subarray(0, 8).equals(PNG_SIGNATURE)) return null;
  if (head.toString('latin1', 12, 16) !== 'IHDR') return null;
  const width = head.readUInt32BE(16);
  const height = head.readUInt32BE(20);
  const bitDepth = head[24] ?? 8;
  const colourType = head[25] ?? 0;
  const channels = CHANNELS[colourType] ?? 4;
  const bytesPerPixel = colourType === 3 ? 1 : Math.max(1, (channels * bitDepth) / 8);
  return { width, height, bitDepth, bytes: width * height * bytesPerPixel };
}
