/** Which providers the node has keys for. Only readiness is ever sent: never a key's value. */
import { create } from 'zustand';
import type { ProviderStatus } from '../../../shared/contract.ts';
import { callApi } from './call-api.ts';

interface SettingsState {
  providers: ProviderStatus | null;
  load(): Promise<void>;
}

export const useSettingsStore = create<SettingsState>()((set) => ({
  providers: null,
  async load() {
    const providers = await callApi('settings.providers', {}, 'Loading providers');
    if (providers) set({ providers });
  },
}));
