import { createHmac } from 'node:crypto';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FarmKey,
  FarmKeyError,
  farmHmac,
  farmIdOf,
  farmKeyFromText,
  generateFarmKey,
  readFarmKey,
} from './key.ts';
import { makeTempDir, removeDir } from './net.fixture.ts';

let dir: string;
beforeEach(async () => {
  dir = await makeTempDir();
});
afterEach(async () => {
  await removeDir(dir);
});

describe('farm keys', () => {
  it('generates 32 random bytes as base64url', () => {
    const a = generateFarmKey();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a, 'base64url')).toHaveLength(32);
    expect(generateFarmKey()).not.toBe(a);
  });

  it('never reveals the key when printed, inspected or JSON-encoded', () => {
    const text = generateFarmKey();
    const key = farmKeyFromText(text);
    const renderings = [
      String(key),
      `${key}`,
      JSON.stringify({ key }),
      inspect(key),
      inspect({ nested: { key } }),
    ];
    for (const rendering of renderings) {
      expect(rendering).not.toContain(text);
      expect(rendering).toContain('[farm key]');
    }
    expect(Object.keys(key)).toEqual([]);
  });

  it('derives the farm id as the first 16 hex chars of HMAC(key, "vfo-farm-id")', () => {
    const text = generateFarmKey();
    const expected = createHmac('sha256', text).update('vfo-farm-id').digest('hex').slice(0, 16);
    expect(farmIdOf(farmKeyFromText(text))).toBe(expected);
    expect(farmIdOf(farmKeyFromText(generateFarmKey()))).not.toBe(expected);
  });

  it('refuses short, empty and repetitive keys without echoing them', () => {
    const short = 'abcdefghijklmnopqrstuvwxyz01234'; // 31 characters
    expect(() => farmKeyFromText(short)).toThrow(/too short \(31 characters/);
    expect(() => farmKeyFromText(short)).toThrow(FarmKeyError);
    try {
      farmKeyFromText(short);
    } catch (error) {
      expect((error as Error).message).not.toContain(short);
    }
    expect(() => farmKeyFromText('   \n')).toThrow(/empty/);
    expect(() => farmKeyFromText('ab'.repeat(40))).toThrow(/repetitive/);
  });

  it('refuses to sign with a FarmKey that was not created from key text', () => {
    expect(() => farmHmac(new FarmKey(), 'x')).toThrow(FarmKeyError);
  });
});

describe('readFarmKey', () => {
  it('reads and trims the key file; the same key text gives the same farm id', async () => {
    const text = generateFarmKey();
    const path = join(dir, 'farm.key');
    await writeFile(path, `  ${text}\n`, { mode: 0o600 });
    const key = await readFarmKey(path);
    expect(farmIdOf(key)).toBe(farmIdOf(farmKeyFromText(text)));
  });

  it.skipIf(process.platform === 'win32')(
    'refuses a key file others may read, naming the file and the fix, never the key',
    async () => {
      const text = generateFarmKey();
      const path = join(dir, 'farm.key');
      await writeFile(path, text);
      await chmod(path, 0o600);
      await expect(readFarmKey(path)).resolves.toBeDefined();
      for (const mode of [0o644, 0o640, 0o604]) {
        await chmod(path, mode);
        const error = await readFarmKey(path).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(FarmKeyError);
        expect((error as Error).message).toContain(`can be read by other users (mode ${mode.toString(8)})`);
        expect((error as Error).message).toContain(`chmod 600 ${path}`);
        expect((error as Error).message).not.toContain(text);
      }
    },
  );

  it('explains a missing or too-short key file', async () => {
    await expect(readFarmKey(join(dir, 'nope.key'))).rejects.toThrow(
      /cannot read the farm key file .*ENOENT/,
    );
    const path = join(dir, 'short.key');
    await writeFile(path, 'secret-but-short', { mode: 0o600 });
    await expect(readFarmKey(path)).rejects.toThrow(/short\.key is too short/);
  });
});
