import { open, stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { formatSize } from '../util/disk-room.ts';
import { sha256Hex } from '../util/hash.ts';
import { SCRIPT_EXTENSIONS } from './limits.ts';
import type { Diagnostic } from './types.ts';
import { firstInvalidUtf8Offset, locateOffset } from './utf8.ts';

export type ScriptSource = { ok: true; text: string } | { ok: false; diagnostic: Diagnostic };

/** A script read from its file, with the checksum of the very bytes its text was made of. */
export type ScriptFileSource =
  | { ok: true; text: string; sha256: string }
  | { ok: false; diagnostic: Diagnostic };

const UTF8_BOM = [0xef, 0xbb, 0xbf];

function problem(file: string, message: string, line = 1, col = 1): ScriptFileSource {
  return { ok: false, diagnostic: { file, line, col, severity: 'error', message } };
}

/**
 * Reads a script file with bounded memory: extension and size are checked before any byte is
 * read, and at most `maxBytes + 1` bytes are ever read (the file may grow after stat).
 */
export async function readScriptSource(path: string, maxBytes: number): Promise<ScriptFileSource> {
  const extension = extname(path).toLowerCase();
  if (!(SCRIPT_EXTENSIONS as readonly string[]).includes(extension)) {
    const shown = extension === '' ? 'no extension' : `extension "${extension}"`;
    return problem(path, `unsupported script type (${shown}); use ${SCRIPT_EXTENSIONS.join(', ')}`);
  }
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    const info = await stat(path);
    if (!info.isFile()) return problem(path, 'cannot read script: not a regular file');
    if (info.size > maxBytes) return sizeProblem(path, info.size, maxBytes);
    handle = await open(path, 'r');
    // To its end, whatever the size said (a file under /proc says 0 bytes, and one may grow meanwhile:
    // either was cut short without a word), and never past the limit.
    let buffer = Buffer.alloc(Math.min(Math.max(info.size + 1, 64 * 1024), maxBytes + 1));
    let filled = 0;
    for (;;) {
      if (filled === buffer.length) {
        if (buffer.length > maxBytes) break;
        const larger = Buffer.alloc(Math.min(buffer.length * 2, maxBytes + 1));
        buffer.copy(larger);
        buffer = larger;
      }
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > maxBytes) return sizeProblem(path, filled, maxBytes);
    const bytes = buffer.subarray(0, filled);
    const decoded = decodeScriptBytes(bytes, path);
    return decoded.ok ? { ...decoded, sha256: sha256Hex(bytes) } : decoded;
  } catch (error) {
    return problem(path, `cannot read script: ${describeFsError(error)}`);
  } finally {
    await handle?.close();
  }
}

function sizeProblem(file: string, size: number, maxBytes: number): ScriptFileSource {
  return problem(file, `script is ${formatSize(size)}; the limit is ${formatSize(maxBytes)}`);
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'file not found';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'not a regular file';
  return error instanceof Error ? error.message : String(error);
}

/** UTF-8 bytes → text, rejecting binary and non-UTF-8 input with a located message. */
export function decodeScriptBytes(bytes: Uint8Array, file: string): ScriptSource {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return problem(file, 'script is UTF-16 text; save it as UTF-8');
  }
  const start = UTF8_BOM.every((b, i) => bytes[i] === b) ? 3 : 0;
  const body = bytes.subarray(start);
  const invalidAt = firstInvalidUtf8Offset(body);
  if (invalidAt >= 0) {
    const prefix = asBuffer(body.subarray(0, invalidAt)).toString('utf8');
    const at = locateOffset(prefix, prefix.length);
    return problem(file, 'script is not valid UTF-8 text (binary file or wrong encoding)', at.line, at.col);
  }
  return { ok: true, text: asBuffer(body).toString('utf8') };
}

/** A Buffer view over the same memory (no copy of a possibly 2 MB script). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Checks that apply to text however it arrived: size, NUL bytes, emptiness. Strips a BOM. */
export function checkScriptText(text: string, file: string, maxBytes: number): ScriptSource {
  const size = Buffer.byteLength(text, 'utf8');
  if (size > maxBytes) return sizeProblem(file, size, maxBytes);
  const unmarked = text.startsWith('\uFEFF') ? text.slice(1) : text;
  const nul = unmarked.indexOf('\0');
  if (nul >= 0) {
    const at = locateOffset(unmarked, nul);
    return problem(file, 'script contains a NUL byte; it looks like a binary file', at.line, at.col);
  }
  if (unmarked.trim() === '') return problem(file, 'script is empty');
  return { ok: true, text: unmarked };
}
