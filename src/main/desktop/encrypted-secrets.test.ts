import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { envSecretStore } from '../secrets/secret-store.ts';
import { EncryptedSecretStore, type SecretCipher, secretsFilePath } from './encrypted-secrets.ts';

/** A reversible fake of safeStorage: XOR with a key that can be "rotated" or "lost". */
function fakeCipher(state = { key: 0x5a, oldKeys: [] as number[], lost: false }) {
  const xor = (buffer: Buffer, key: number) => Buffer.from(buffer.map((b) => b ^ key));
  const cipher: SecretCipher = {
    encrypt: async (text) => Buffer.concat([Buffer.from([state.key]), xor(Buffer.from(text), state.key)]),
    decrypt: async (encrypted) => {
      const key = encrypted[0] ?? -1;
      if (state.lost || (key !== state.key && !state.oldKeys.includes(key)))
        throw new Error('cannot decrypt');
      return { text: xor(encrypted.subarray(1), key).toString(), reEncrypt: key !== state.key };
    },
  };
  return { cipher, state };
}

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vf-secrets-'));
  file = secretsFilePath(dir);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('EncryptedSecretStore', () => {
  it('stores keys encrypted, owner-only, and reads them back after a restart', async () => {
    const { cipher } = fakeCipher();
    const store = await EncryptedSecretStore.open(file, cipher);
    await store.set('anthropic.apiKey', '  sk-ant-secret  ');
    await store.set('azure.speechRegion', 'westeurope');
    expect(store.get('anthropic.apiKey')).toBe('sk-ant-secret');

    const onDisk = readFileSync(file, 'utf8');
    expect(onDisk).not.toContain('sk-ant-secret');
    expect(onDisk).not.toContain('westeurope');
    expect(statSync(file).mode & 0o777).toBe(0o600);

    const reopened = await EncryptedSecretStore.open(file, cipher);
    expect(reopened.get('anthropic.apiKey')).toBe('sk-ant-secret');
    expect(reopened.storedNames()).toEqual(['anthropic.apiKey', 'azure.speechRegion']);
  });

  it('removes a key set to empty, and falls back to the environment for keys it lacks', async () => {
    const { cipher } = fakeCipher();
    const env = envSecretStore({ AZURE_SPEECH_KEY: 'from-env', ANTHROPIC_API_KEY: 'env-anthropic' });
    const store = await EncryptedSecretStore.open(file, cipher, env);
    await store.set('anthropic.apiKey', 'stored');
    expect(store.get('anthropic.apiKey')).toBe('stored');
    expect(store.get('azure.speechKey')).toBe('from-env');
    await store.set('anthropic.apiKey', '   ');
    expect(store.get('anthropic.apiKey')).toBe('env-anthropic');
    expect(JSON.parse(readFileSync(file, 'utf8')).secrets).toEqual({});
  });

  it('re-encrypts values after the OS rotated its key, and skips values it can no longer read', async () => {
    const { cipher, state } = fakeCipher();
    const first = await EncryptedSecretStore.open(file, cipher);
    await first.set('azure.speechKey', 'k1');
    state.oldKeys.push(state.key);
    state.key = 0x33;
    await EncryptedSecretStore.open(file, cipher);
    const stored = Buffer.from(JSON.parse(readFileSync(file, 'utf8')).secrets['azure.speechKey'], 'base64');
    expect(stored[0]).toBe(0x33);

    state.lost = true;
    const afterLoss = await EncryptedSecretStore.open(file, cipher);
    expect(afterLoss.get('azure.speechKey')).toBeUndefined();
  });

  it('survives a damaged file and ignores unknown names', async () => {
    writeFileSync(file, '{ not json');
    const { cipher } = fakeCipher();
    expect((await EncryptedSecretStore.open(file, cipher)).storedNames()).toEqual([]);
    writeFileSync(
      file,
      JSON.stringify({ version: 1, secrets: { 'other.key': 'AAAA', 'azure.speechKey': 42 } }),
    );
    expect((await EncryptedSecretStore.open(file, cipher)).storedNames()).toEqual([]);
  });

  it('keeps the last of concurrent writes', async () => {
    const { cipher } = fakeCipher();
    const store = await EncryptedSecretStore.open(file, cipher);
    await Promise.all([store.set('anthropic.apiKey', 'a'), store.set('azure.speechKey', 'b')]);
    const reopened = await EncryptedSecretStore.open(file, cipher);
    expect([reopened.get('anthropic.apiKey'), reopened.get('azure.speechKey')]).toEqual(['a', 'b']);
  });
});
