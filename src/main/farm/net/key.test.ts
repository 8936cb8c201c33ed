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
  uiTokenOf,
} from './key.ts';
import { captureLogs, makeTempDir, removeDir } from './net.fixture.ts';

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
    expect(uiTokenOf(farmKeyFromText(text))).toBe(createHmac('sha256', text).update('ui').digest('hex'));
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
    'warns (without the key) when others may read the file',
    async () => {
      const text = generateFarmKey();
      const path = join(dir, 'farm.key');
      await writeFile(path, text);
      const logs = captureLogs();
      try {
        await chmod(path, 0o600);
        await readFarmKey(path);
        expect(logs.records.filter((r) => r.level === 'warn')).toHaveLength(0);
        await chmod(path, 0o644);
        await readFarmKey(path);
        const warning = logs.records.find((r) => r.level === 'warn');
        expect(warning?.message).toMatch(/readable by other users/);
        expect(warning?.fields).toMatchObject({ path, mode: '644' });
        expect(logs.text()).not.toContain(text);
      } finally {
        logs.stop();
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
