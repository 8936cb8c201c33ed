/**
 * Provider keys for the desktop app: encrypted by the OS (Electron safeStorage, i.e. a key kept in the
 * macOS Keychain) and stored as base64 in a small file in the app's data folder — never the database,
 * never a log line. The cipher is injected, so this file has no Electron in it and tests use a fake.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createLogger } from '../log/logger.ts';
import type { SecretName, SecretStore } from '../secrets/secret-store.ts';
import { writeFileAtomically } from '../util/atomic-file.ts';

const log = createLogger('Secrets');

export const SECRET_NAMES: readonly SecretName[] = [
  'anthropic.apiKey',
  'azure.speechKey',
  'azure.speechRegion',
  'redis.password',
  'alerts.webhookSecret',
];

export interface SecretCipher {
  encrypt(plainText: string): Promise<Buffer>;
  /** `reEncrypt`: the OS rotated its key; store the value again with the new one. */
  decrypt(encrypted: Buffer): Promise<{ text: string; reEncrypt: boolean }>;
}

interface SecretFile {
  version: 1;
  /** Name → base64 of the OS-encrypted bytes. */
  secrets: Partial<Record<SecretName, string>>;
}

export function secretsFilePath(dataDir: string): string {
  return join(dataDir, 'secrets.json');
}

function isSecretName(name: string): name is SecretName {
  return (SECRET_NAMES as readonly string[]).includes(name);
}

async function readSecretFile(file: string): Promise<SecretFile> {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      log.warn('cannot read the secrets file', { file, code: (error as NodeJS.ErrnoException).code });
    }
    return { version: 1, secrets: {} };
  }
  try {
    const parsed = JSON.parse(raw) as { secrets?: unknown };
    const secrets: SecretFile['secrets'] = {};
    if (parsed.secrets && typeof parsed.secrets === 'object') {
      for (const [name, value] of Object.entries(parsed.secrets)) {
        if (isSecretName(name) && typeof value === 'string') secrets[name] = value;
      }
    }
    return { version: 1, secrets };
  } catch {
    log.warn('the secrets file is damaged; starting without stored keys', { file });
    return { version: 1, secrets: {} };
  }
}

/** A SecretStore over the encrypted file, with an optional fallback (the environment, for development). */
export class EncryptedSecretStore implements SecretStore {
  private readonly file: string;
  private readonly cipher: SecretCipher;
  private readonly fallback: SecretStore | undefined;
  private readonly values = new Map<SecretName, string>();
  private stored: SecretFile = { version: 1, secrets: {} };
  private writes: Promise<void> = Promise.resolve();

  private constructor(file: string, cipher: SecretCipher, fallback: SecretStore | undefined) {
    this.file = file;
    this.cipher = cipher;
    this.fallback = fallback;
  }

  /**
   * Decrypts every stored key once (SecretStore.get is synchronous). A value the OS can no longer
   * decrypt (the Keychain item was deleted) is skipped: the provider reads as not configured.
   */
  static async open(
    file: string,
    cipher: SecretCipher,
    fallback?: SecretStore,
  ): Promise<EncryptedSecretStore> {
    const store = new EncryptedSecretStore(file, cipher, fallback);
    store.stored = await readSecretFile(file);
    const stale: SecretName[] = [];
    for (const [name, encoded] of Object.entries(store.stored.secrets) as [SecretName, string][]) {
      try {
        const { text, reEncrypt } = await cipher.decrypt(Buffer.from(encoded, 'base64'));
        store.values.set(name, text);
        if (reEncrypt) stale.push(name);
      } catch {
        log.warn('a stored key cannot be decrypted; set it again', { name });
      }
    }
    for (const name of stale) await store.set(name, store.values.get(name) ?? '');
    return store;
  }

  get(name: SecretName): string | undefined {
    return this.values.get(name) ?? this.fallback?.get(name);
  }

  /** Which keys are stored here (not the fallback's): names only, never values. */
  storedNames(): SecretName[] {
    return SECRET_NAMES.filter((name) => this.values.has(name));
  }

  /** Stores a key (an empty value removes it). Resolves once the file is safely on disk. */
  async set(name: SecretName, value: string): Promise<void> {
    if (!isSecretName(name)) throw new Error(`unknown secret ${String(name)}`);
    const trimmed = value.trim();
    if (!trimmed) return this.delete(name);
    const encrypted = (await this.cipher.encrypt(trimmed)).toString('base64');
    this.values.set(name, trimmed);
    this.stored.secrets[name] = encrypted;
    await this.persist();
  }

  async delete(name: SecretName): Promise<void> {
    this.values.delete(name);
    delete this.stored.secrets[name];
    await this.persist();
  }

  private persist(): Promise<void> {
    // One write at a time, each with the latest state; a failed write does not block later ones.
    const snapshot = `${JSON.stringify(this.stored, null, 2)}\n`;
    const write = this.writes.then(() => writeFileAtomically(this.file, snapshot, { mode: 0o600 }));
    this.writes = write.catch(() => {});
    return write;
  }
}
