/**
 * The node's settings: ffmpeg, provider readiness (never a key's value), the data folder and how long
 * farm segments must be.
 */
import { create } from 'zustand';
import type { ArgsOf, FieldIssue, SettingsView } from '../../../shared/contract.ts';
import { callApi, callForForm } from './call-api.ts';
import { notify } from './toast-store.ts';

export type FarmForm = 'hours' | 'yield' | 'limit' | 'hosts';
const NO_FARM_ISSUES: Record<FarmForm, FieldIssue[]> = { hours: [], yield: [], limit: [], hosts: [] };

interface SettingsState {
  settings: SettingsView | null;
  /** What the node rejected in the last ffmpeg path. */
  issues: FieldIssue[];
  saving: boolean;
  load(): Promise<void>;
  setFfmpegPath(path: string | null): Promise<boolean>;
  /** What the node rejected in the last minimum segment length. */
  segmentIssues: FieldIssue[];
  setMinSegmentSeconds(seconds: number): Promise<boolean>;
  /** What the node rejected in the last render hours, yield or block limit, per form. */
  farmIssues: Record<FarmForm, FieldIssue[]>;
  setRenderHours(hours: string | null): Promise<boolean>;
  setYieldToUser(yieldToUser: SettingsView['yieldToUser']): Promise<boolean>;
  setBlockLimit(maxTaskFailures: number): Promise<boolean>;
  setUiHosts(hosts: string[]): Promise<boolean>;
  /** What the node rejected in the last farm queue (Redis URL, advertised URL). */
  farmQueueIssues: FieldIssue[];
  setFarmQueue(redisUrl: string | null, advertiseUrl: string | null): Promise<boolean>;
  /** What the node rejected in the last local parts. */
  partsIssues: FieldIssue[];
  setLocalParts(parts: number, minSegmentSeconds: number): Promise<boolean>;
}

/** The farm forms' calls: each takes its arguments and answers the settings. */
type FarmFormMethod =
  | 'settings.setRenderHours'
  | 'settings.setYieldToUser'
  | 'settings.setBlockLimit'
  | 'settings.setUiHosts';

export const useSettingsStore = create<SettingsState>()((set) => {
  /** One farm form saved: what the node refused goes next to that form's fields; else a toast says what now holds. */
  const saveFarmForm = async <M extends FarmFormMethod>(
    form: FarmForm,
    method: M,
    args: ArgsOf<M>,
    failureContext: string,
    saidOf: (view: SettingsView) => string,
  ): Promise<boolean> => {
    set({ saving: true, farmIssues: NO_FARM_ISSUES });
    const result = await callForForm(method, args, failureContext);
    set({ saving: false });
    if (!result.ok) {
      set({ farmIssues: { ...NO_FARM_ISSUES, [form]: result.issues } });
      return false;
    }
    const view = result.value as SettingsView;
    set({ settings: view });
    notify('success', saidOf(view));
    return true;
  };
  return {
    settings: null,
    issues: [],
    segmentIssues: [],
    farmIssues: NO_FARM_ISSUES,
    farmQueueIssues: [],
    partsIssues: [],
    saving: false,
    setRenderHours: (hours) =>
      saveFarmForm('hours', 'settings.setRenderHours', { hours }, 'Saving the render hours', () =>
        hours ? `This node takes farm work ${hours}` : 'This node takes farm work at any time',
      ),
    setYieldToUser: (yieldToUser) =>
      saveFarmForm('yield', 'settings.setYieldToUser', { yieldToUser }, 'Saving yielding to the user', () =>
        yieldToUser ? 'This node steps back while someone uses it' : 'This node never steps back',
      ),
    setBlockLimit: (maxTaskFailures) =>
      saveFarmForm(
        'limit',
        'settings.setBlockLimit',
        { maxTaskFailures },
        'Saving the block limit',
        () => `A worker that fails ${maxTaskFailures} tasks of a job gets no more of them`,
      ),
    setUiHosts: (hosts) =>
      saveFarmForm('hosts', 'settings.setUiHosts', { hosts }, 'Saving the UI names', (view) =>
        view.uiHosts.length > 0
          ? `Browsers may also reach this node as ${view.uiHosts.join(', ')}`
          : 'Browsers reach this node at its addresses, short and .local names',
      ),
    async load() {
      const settings = await callApi('settings.get', {}, 'Loading settings');
      if (settings) set({ settings });
    },
    async setFfmpegPath(path) {
      set({ saving: true, issues: [] });
      const result = await callForForm('settings.setFfmpegPath', { path }, 'Saving the ffmpeg path');
      set({ saving: false });
      if (!result.ok) {
        set({ issues: result.issues });
        return false;
      }
      set({ settings: result.value });
      notify(
        'success',
        path === null ? 'ffmpeg will be searched for' : 'Saved the ffmpeg path: used from the next start',
      );
      return true;
    },
    async setMinSegmentSeconds(seconds) {
      set({ saving: true, segmentIssues: [] });
      const result = await callForForm(
        'settings.setMinSegmentSeconds',
        { seconds },
        'Saving the minimum segment length',
      );
      set({ saving: false });
      if (!result.ok) {
        set({ segmentIssues: result.issues });
        return false;
      }
      set({ settings: result.value });
      notify('success', `Saved: videos on the farm are split into segments of at least ${seconds} s`);
      return true;
    },
    async setLocalParts(parts, minSegmentSeconds) {
      set({ saving: true, partsIssues: [] });
      const args = { parts, minSegmentSeconds };
      const result = await callForForm('settings.setLocalParts', args, 'Saving the local parts');
      set({ saving: false });
      if (!result.ok) {
        set({ partsIssues: result.issues });
        return false;
      }
      set({ settings: result.value });
      notify(
        'success',
        `Saved: a video is encoded here in up to ${parts} parts of at least ${minSegmentSeconds} s`,
      );
      return true;
    },
    async setFarmQueue(redisUrl, advertiseUrl) {
      set({ saving: true, farmQueueIssues: [] });
      const result = await callForForm(
        'settings.setFarmQueue',
        { redisUrl, advertiseUrl },
        'Saving where the farm’s queue is kept',
      );
      set({ saving: false });
      if (!result.ok) {
        set({ farmQueueIssues: result.issues });
        return false;
      }
      set({ settings: result.value });
      notify(
        'success',
        redisUrl === null
          ? 'The farm’s queue will be on the LAN from the next start'
          : 'The farm’s queue will be in Redis from the next start',
      );
      return true;
    },
  };
});
