/**
 * Where provider keys come from. Never the database, never a log line: the CLI reads environment
 * variables, the desktop app fills a store backed by Electron safeStorage (the Keychain on a Mac).
 */
export type SecretName =
  | 'anthropic.apiKey'
  | 'azure.speechKey'
  | 'azure.speechRegion'
  | 'redis.password'
  | 'alerts.webhookSecret';

export interface SecretStore {
  get(name: SecretName): string | undefined;
}

/** A store the app can write (the Keychain-backed one); the CLI's environment store is read-only. */
export interface WritableSecretStore extends SecretStore {
  /** An empty value removes the key. */
  set(name: SecretName, value: string): Promise<void>;
}

export const SECRET_NAMES: readonly SecretName[] = [
  'anthropic.apiKey',
  'azure.speechKey',
  'azure.speechRegion',
  'redis.password',
  'alerts.webhookSecret',
];

export function isWritable(store: SecretStore): store is WritableSecretStore {
  return typeof (store as Partial<WritableSecretStore>).set === 'function';
}

const ENV_NAMES: Record<SecretName, string> = {
  'anthropic.apiKey': 'ANTHROPIC_API_KEY',
  'azure.speechKey': 'AZURE_SPEECH_KEY',
  'azure.speechRegion': 'AZURE_SPEECH_REGION',
  // The password of the Redis holding the farm's queue (Redis mode), kept out of its URL.
  'redis.password': 'VFO_REDIS_PASSWORD',
  /** Signs the alerts a coordinator POSTs to its webhook (src/main/ops/webhook.ts). */
  'alerts.webhookSecret': 'VFO_ALERT_WEBHOOK_SECRET',
};

/**
 * The environment without the keys it may hold: what a child process (ffmpeg, espeak-ng, the encode
 * runner) is given. ffmpeg parses media from scripts and from other Macs; none of them needs a key,
 * and each was handed every one.
 */
export function envWithoutSecrets(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const secretNames = new Set(
    Object.values(ENV_NAMES).filter((name) => name !== ENV_NAMES['azure.speechRegion']),
  );
  return Object.fromEntries(Object.entries(env).filter(([name]) => !secretNames.has(name)));
}

export function envSecretStore(env: NodeJS.ProcessEnv = process.env): SecretStore {
  return {
    get(name) {
      const value = env[ENV_NAMES[name]]?.trim();
      return value ? value : undefined;
    },
  };
}

export function secretEnvName(name: SecretName): string {
  return ENV_NAMES[name];
}

/** Which providers can run, for `vfo doctor` and the GUI: booleans only, never values. */
export function providerReadiness(store: SecretStore, azureHost?: string) {
  return {
    anthropic: Boolean(store.get('anthropic.apiKey')),
    azureSpeech: Boolean(store.get('azure.speechKey') && (store.get('azure.speechRegion') || azureHost)),
  };
}
