/**
 * Dropped scripts on their way to the queue: each is read, checked by the node (`scripts.check`) and
 * previewed; the user then queues the valid ones (`scripts.import`). An invalid script stays on the
 * list with its located errors and is never sent for import.
 */
import { create } from 'zustand';
import type { ScriptCheck, ScriptUpload } from '../../../shared/contract.ts';
import { countLabel } from '../lib/diagnostics.ts';
import { runLimited } from '../lib/run-limited.ts';
import { MAX_SCRIPT_BYTES } from '../lib/script-files.ts';
import { callApi } from './call-api.ts';
import { useJobsStore } from './jobs-store.ts';
import { notify } from './toast-store.ts';

export type DroppedScriptState = 'checking' | 'checked' | 'unreadable' | 'queued';

export interface DroppedScript {
  key: string;
  name: string;
  text: string;
  state: DroppedScriptState;
  check: ScriptCheck | null;
  /** Why it could not be read or checked (not a script error: those are in `check`). */
  problem: string | null;
  jobId: string | null;
}

const CHECKS_AT_ONCE = 3;

export function isQueueable(script: DroppedScript): boolean {
  return script.state === 'checked' && script.check?.ok === true;
}

interface ImportState {
  scripts: DroppedScript[];
  recipe: string;
  videoPreset: string;
  queueing: boolean;
  addFiles(files: readonly File[], ignored?: readonly string[]): Promise<void>;
  remove(key: string): void;
  clearFinished(): void;
  setRecipe(slug: string): void;
  setVideoPreset(slug: string): void;
  queueValid(): Promise<void>;
}

let nextKey = 1;

async function readScript(file: File): Promise<{ text: string } | { problem: string }> {
  if (file.size > MAX_SCRIPT_BYTES) {
    const limit = Math.round(MAX_SCRIPT_BYTES / 1024);
    return {
      problem: `too large to be a script (${Math.round(file.size / 1024)} KB; the limit is ${limit} KB)`,
    };
  }
  try {
    return { text: await file.text() };
  } catch {
    return { problem: 'could not be read' };
  }
}

export const useImportStore = create<ImportState>()((set, get) => {
  const update = (key: string, change: Partial<DroppedScript>): void =>
    set((state) => ({ scripts: state.scripts.map((s) => (s.key === key ? { ...s, ...change } : s)) }));

  const check = async (script: DroppedScript): Promise<void> => {
    const upload: ScriptUpload = { name: script.name, text: script.text };
    const result = await callApi('scripts.check', { script: upload }, `Checking ${script.name}`);
    if (result) update(script.key, { state: 'checked', check: result });
    else update(script.key, { state: 'unreadable', problem: 'could not be checked' });
  };

  return {
    scripts: [],
    recipe: '',
    videoPreset: '',
    queueing: false,
    async addFiles(files, ignored = []) {
      if (ignored.length > 0) {
        notify('info', `Ignored ${countLabel(ignored.length, 'file')} that are not .md or .txt scripts.`);
      }
      const added: DroppedScript[] = [];
      for (const file of files) {
        const read = await readScript(file);
        const base = { key: `drop-${nextKey++}`, name: file.name, check: null, jobId: null };
        added.push(
          'text' in read
            ? { ...base, text: read.text, state: 'checking', problem: null }
            : { ...base, text: '', state: 'unreadable', problem: read.problem },
        );
      }
      set((state) => ({ scripts: [...state.scripts, ...added] }));
      await runLimited(
        added.filter((script) => script.state === 'checking'),
        CHECKS_AT_ONCE,
        check,
      );
    },
    remove(key) {
      set((state) => ({ scripts: state.scripts.filter((script) => script.key !== key) }));
    },
    clearFinished() {
      set((state) => ({ scripts: state.scripts.filter((script) => script.state === 'checking') }));
    },
    setRecipe(recipe) {
      set({ recipe });
    },
    setVideoPreset(videoPreset) {
      set({ videoPreset });
    },
    async queueValid() {
      const { scripts, recipe, videoPreset, queueing } = get();
      const valid = scripts.filter(isQueueable);
      if (queueing || valid.length === 0) return;
      set({ queueing: true });
      try {
        const outcomes = await callApi(
          'scripts.import',
          {
            scripts: valid.map((script) => ({ name: script.name, text: script.text })),
            ...(recipe ? { recipe } : {}),
            ...(videoPreset ? { videoPreset } : {}),
          },
          'Queueing scripts',
        );
        if (!outcomes) return;
        // Outcomes come back in the order the scripts were sent (names may repeat, so not by name).
        valid.forEach((script, index) => {
          const outcome = outcomes[index];
          if (!outcome) return;
          if (outcome.queued)
            update(script.key, { state: 'queued', jobId: outcome.jobId, check: outcome.check });
          else update(script.key, { state: 'checked', check: outcome.check });
        });
        const queued = outcomes.filter((outcome) => outcome.queued).length;
        if (queued > 0) notify('success', `Queued ${countLabel(queued, 'script')}.`);
        await useJobsStore.getState().load();
      } finally {
        set({ queueing: false });
      }
    },
  };
});
