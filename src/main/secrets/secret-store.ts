/**
 * Where provider keys come from. Never the database, never a log line: the CLI reads environment
 * variables, the desktop app fills a store backed by Electron safeStorage (the Keychain on a Mac).
 */
export type SecretName = 'anthropic.apiKey' | 'azure.speechKey' | 'azure.speechRegion';

export interface SecretStore {
  get(name: SecretName): string | undefined;
}

const ENV_NAMES: Record<SecretName, string> = {
  'anthropic.apiKey': 'ANTHROPIC_API_KEY',
  'azure.speechKey': 'AZURE_SPEECH_KEY',
  'azure.speechRegion': 'AZURE_SPEECH_REGION',
};

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
