/** The dashboard's history: loaded when the screen opens, then every few seconds while it is shown. */
import { create } from 'zustand';
import type { FarmHistory } from '../../../shared/contract.ts';
import { callApi } from './call-api.ts';

export const HOUR_CHOICES = [1, 6, 24, 168] as const;

interface DashboardState {
  hours: number;
  history: FarmHistory | null;
  /** The history could not be loaded, and none is shown: the screen offers to try again. */
  loadFailed: boolean;
  load(): Promise<void>;
  setHours(hours: number): Promise<void>;
}

export const useDashboardStore = create<DashboardState>()((set, get) => ({
  hours: 6,
  history: null,
  loadFailed: false,
  async load() {
    const hours = get().hours;
    const history = await callApi('farm.history', { hours }, 'Loading the farm’s history');
    // Only if the window was not changed while this was on its way.
    if (history && get().hours === hours) set({ history, loadFailed: false });
    else if (!history && !get().history) set({ loadFailed: true });
  },
  async setHours(hours) {
    set({ hours });
    await get().load();
  },
}));
