/**
 * Reading and writing RIFF/WAVE headers for 16-bit PCM. Real files carry extra chunks (LIST, fact,
 * FLLR padding from macOS), WAVE_FORMAT_EXTENSIBLE, odd-sized chunks with a pad byte, or a data size
 * left unset by a streaming writer; all of those are read correctly. Anything that is not s16le PCM
 * is rejected with a message saying what it is instead.
 */
import { open } from 'node:fs/promises';
import { SpeechError } from './errors.ts';

export interface WavHeader {
  sampleRate: number;
  channels: number;
  bitsPerSample: 16;
  /** Bytes per frame (one sample for every channel). */
  blockAlign: number;
  /** Byte offset of the first sample in the file. */
  dataOffset: number;
  /** Bytes of whole frames in the data chunk. */
  dataBytes: number;
  frameCount: number;
}

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_EXTENSIBLE = 0xfffe;
/** A data size writers use for "unknown, until the end of the file". */
const UNKNOWN_SIZE = 0xffffffff;
const CANONICAL_HEADER_BYTES = 44;

function invalid(path: string, problem: string): SpeechError {
  return new SpeechError('invalid-wav', `${path} is not a usable WAV file: ${problem}`);
}

interface FormatChunk {
  formatTag: number;
  channels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
}

function parseFormatChunk(body: Buffer, path: string): FormatChunk {
  if (body.length < 16) throw invalid(path, 'the "fmt " chunk is too short');
  let formatTag = body.readUInt16LE(0);
  // WAVE_FORMAT_EXTENSIBLE keeps the real format in the first two bytes of its sub-format GUID.
  if (formatTag === FORMAT_EXTENSIBLE && body.length >= 26) formatTag = body.readUInt16LE(24);
  return {
    formatTag,
    channels: body.readUInt16LE(2),
    sampleRate: body.readUInt32LE(4),
    blockAlign: body.readUInt16LE(12),
    bitsPerSample: body.readUInt16LE(14),
  };
}

function checkIsS16Pcm(format: FormatChunk, path: string): void {
  if (format.formatTag === FORMAT_FLOAT)
    throw invalid(path, `it holds ${format.bitsPerSample}-bit float samples; 16-bit PCM is required`);
  if (format.formatTag !== FORMAT_PCM)
    throw invalid(path, `it uses audio format ${format.formatTag}; 16-bit PCM is required`);
  if (format.bitsPerSample !== 16)
    throw invalid(path, `it holds ${format.bitsPerSample}-bit samples; 16-bit PCM is required`);
  if (format.channels < 1 || format.sampleRate < 1)
    throw invalid(path, 'it declares no channels or no sample rate');
  if (format.blockAlign !== format.channels * 2)
    throw invalid(
      path,
      `its block size ${format.blockAlign} does not fit ${format.channels} channel(s) of 16-bit samples`,
    );
}

export async function readWavHeader(path: string): Promise<WavHeader> {
  const file = await open(path, 'r');
  try {
    const fileSize = (await file.stat()).size;
    const read = async (position: number, length: number): Promise<Buffer> => {
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await file.read(buffer, 0, length, position);
      return buffer.subarray(0, bytesRead);
    };
    const riff = await read(0, 12);
    if (riff.length < 12) throw invalid(path, 'it is too short to be a WAV file');
    const magic = riff.toString('latin1', 0, 4);
    if (magic === 'RF64') throw invalid(path, 'RF64 (over 4 GiB) WAV files are not supported');
    if (magic !== 'RIFF' || riff.toString('latin1', 8, 12) !== 'WAVE')
      throw invalid(path, 'it has no RIFF/WAVE header');

    let format: FormatChunk | undefined;
    let position = 12;
    while (position + 8 <= fileSize) {
      const chunkHeader = await read(position, 8);
      const id = chunkHeader.toString('latin1', 0, 4);
      const size = chunkHeader.readUInt32LE(4);
      const bodyStart = position + 8;
      if (id === 'fmt ') {
        format = parseFormatChunk(await read(bodyStart, Math.min(size, 64)), path);
      } else if (id === 'data') {
        if (!format) throw invalid(path, 'its "data" chunk comes before the "fmt " chunk');
        checkIsS16Pcm(format, path);
        const available = fileSize - bodyStart;
        // A streaming writer that was never able to seek back leaves the size unset or too big.
        const declared = size === UNKNOWN_SIZE || size > available ? available : size;
        const frameCount = Math.floor(declared / format.blockAlign);
        return {
          sampleRate: format.sampleRate,
          channels: format.channels,
          bitsPerSample: 16,
          blockAlign: format.blockAlign,
          dataOffset: bodyStart,
          dataBytes: frameCount * format.blockAlign,
          frameCount,
        };
      }
      // Chunks are word-aligned: an odd-sized chunk is followed by one pad byte.
      position = bodyStart + size + (size % 2);
    }
    throw invalid(path, format ? 'it has no "data" chunk' : 'it has no "fmt " chunk');
  } finally {
    await file.close();
  }
}

/** The 44-byte header of a canonical PCM s16le WAV holding `dataBytes` of samples. */
export function canonicalWavHeader(
  format: { sampleRate: number; channels: number },
  dataBytes: number,
): Buffer {
  if (dataBytes > UNKNOWN_SIZE - CANONICAL_HEADER_BYTES) {
    throw new SpeechError('invalid-wav', 'The narration is too long for a WAV file (over 4 GiB of audio)');
  }
  const blockAlign = format.channels * 2;
  const header = Buffer.alloc(CANONICAL_HEADER_BYTES);
  header.write('RIFF', 0, 'latin1');
  header.writeUInt32LE(CANONICAL_HEADER_BYTES - 8 + dataBytes, 4);
  header.write('WAVE', 8, 'latin1');
  header.write('fmt ', 12, 'latin1');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(FORMAT_PCM, 20);
  header.writeUInt16LE(format.channels, 22);
  header.writeUInt32LE(format.sampleRate, 24);
  header.writeUInt32LE(format.sampleRate * blockAlign, 28);
  header.writeUInt16LE(blockAlign, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'latin1');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}

export const WAV_HEADER_BYTES = CANONICAL_HEADER_BYTES;
