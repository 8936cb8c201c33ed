/**
 * The node's settings: ffmpeg, provider readiness (never a key's value), the data folder and how long
 * farm segments must be.
 */
import { create } from 'zustand';
import type { FieldIssue, SettingsView } from '../../../shared/contract.ts';
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

export const useSettingsStore = create<SettingsState>()((set) => ({
  settings: null,
  issues: [],
  segmentIssues: [],
  farmIssues: NO_FARM_ISSUES,
  farmQueueIssues: [],
  partsIssues: [],
  saving: false,
  async setRenderHours(hours) {
    set({ saving: true, farmIssues: NO_FARM_ISSUES });
    const result = await callForForm('settings.setRenderHours', { hours }, 'Saving the render hours');
    set({ saving: false });
    if (!result.ok) {
      set({ farmIssues: { ...NO_FARM_ISSUES, hours: result.issues } });
      return false;
    }
    set({ settings: result.value });
    notify('success', hours ? `This node takes farm work ${hours}` : 'This node takes farm work at any time');
    return true;
  },
  async setYieldToUser(yieldToUser) {
    set({ saving: true, farmIssues: NO_FARM_ISSUES });
    const result = await callForForm(
      'settings.setYieldToUser',
      { yieldToUser },
      'Saving yielding to the user',
    );
    set({ saving: false });
    if (!result.ok) {
      set({ farmIssues: { ...NO_FARM_ISSUES, yield: result.issues } });
      return false;
    }
    set({ settings: result.value });
    notify(
      'success',
      yieldToUser ? 'This node steps back while someone uses it' : 'This node never steps back',
    );
    return true;
  },
  async setBlockLimit(maxTaskFailures) {
    set({ saving: true, farmIssues: NO_FARM_ISSUES });
    const result = await callForForm('settings.setBlockLimit', { maxTaskFailures }, 'Saving the block limit');
    set({ saving: false });
    if (!result.ok) {
      set({ farmIssues: { ...NO_FARM_ISSUES, limit: result.issues } });
      return false;
    }
    set({ settings: result.value });
    notify('success', `A worker that fails ${maxTaskFailures} tasks of a job gets no more of them`);
    return true;
  },
  async setUiHosts(hosts) {
    set({ saving: true, farmIssues: NO_FARM_ISSUES });
    const result = await callForForm('settings.setUiHosts', { hosts }, 'Saving the UI names');
    set({ saving: false });
    if (!result.ok) {
      set({ farmIssues: { ...NO_FARM_ISSUES, hosts: result.issues } });
      return false;
    }
    set({ settings: result.value });
    notify(
      'success',
      result.value.uiHosts.length > 0
        ? `Browsers may also reach this node as ${result.value.uiHosts.join(', ')}`
        : 'Browsers reach this node at its addresses, short and .local names',
    );
    return true;
  },
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
}));
