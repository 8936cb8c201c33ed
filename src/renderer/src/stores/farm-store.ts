/** The farm as this node sees it: one `farm.status` call, then every 'farm' event replaces it. */
import { create } from 'zustand';
import type { FarmStatus } from '../../../shared/contract.ts';
import { callApi } from './call-api.ts';
import { useSessionStore } from './session-store.ts';

interface FarmState {
  status: FarmStatus | null;
  changingPause: boolean;
  load(): Promise<void>;
  receive(status: FarmStatus): void;
  setPaused(paused: boolean): Promise<void>;
}

export const useFarmStore = create<FarmState>()((set, get) => ({
  status: null,
  changingPause: false,
  async load() {
    const status = await callApi('farm.status', {}, 'Loading the farm');
    if (status) get().receive(status);
  },
  receive(status) {
    set({ status });
    const self = status.nodes.find((node) => node.id === status.self);
    if (self) useSessionStore.getState().setNodeName(self.name);
  },
  async setPaused(paused) {
    set({ changingPause: true });
    try {
      const result = await callApi(
        'farm.setPaused',
        { paused },
        paused ? 'Pausing this node' : 'Resuming this node',
      );
      if (result) await get().load();
    } finally {
      set({ changingPause: false });
    }
  },
}));
