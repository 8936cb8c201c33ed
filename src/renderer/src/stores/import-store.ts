/**
 * Dropped scripts on their way to the queue: each is read, checked by the node (`scripts.check`, told
 * which media were dropped beside it) and previewed with every media file it names, found or missing;
 * the user then queues the valid ones: the media they name are hashed, the node says which it lacks,
 * those are sent (once each), then the scripts (`scripts.import`, each with its media's checksums).
 * An invalid script stays on the list with its located errors and is never sent for import.
 */
import { create } from 'zustand';
import {
  canonicalMediaPath,
  type ImportOutcome,
  importBatches,
  type MediaManifest,
  type ScriptCheck,
  type ScriptUpload,
} from '../../../shared/contract.ts';
import { countLabel } from '../lib/diagnostics.ts';
import { sha256OfFile } from '../lib/file-hash.ts';
import { runLimited } from '../lib/run-limited.ts';
import { type CollectedFiles, MAX_SCRIPT_BYTES, mediaBesides } from '../lib/script-files.ts';
import { callApi } from './call-api.ts';
import { useJobsStore } from './jobs-store.ts';
import { useSessionStore } from './session-store.ts';
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
  /** The media dropped in its folder or under it, by their path relative to that folder. */
  files: Record<string, File>;
}

const CHECKS_AT_ONCE = 3;
const UPLOADS_AT_ONCE = 2;

export function isQueueable(script: DroppedScript): boolean {
  return script.state === 'checked' && script.check?.ok === true;
}

interface ImportState {
  scripts: DroppedScript[];
  recipe: string;
  videoPreset: string;
  queueing: boolean;
  addFiles(dropped: CollectedFiles): Promise<void>;
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
    const files = Object.keys(script.files);
    const result = await callApi(
      'scripts.check',
      { script: upload, ...(files.length > 0 ? { files } : {}) },
      `Checking ${script.name}`,
    );
    if (result) update(script.key, { state: 'checked', check: result });
    else update(script.key, { state: 'unreadable', problem: 'could not be checked' });
  };

  return {
    scripts: [],
    recipe: '',
    videoPreset: '',
    queueing: false,
    async addFiles({ scripts: dropped, media, ignored }) {
      if (ignored.length > 0) {
        notify(
          'info',
          `Ignored ${countLabel(ignored.length, 'file')} that are neither scripts nor pictures, clips or music.`,
        );
      }
      const added: DroppedScript[] = [];
      for (const { file, path } of dropped) {
        const read = await readScript(file);
        const base = {
          key: `drop-${nextKey++}`,
          name: file.name,
          check: null,
          jobId: null,
          files: mediaBesides(path, media),
        };
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
        const manifests = await sendMedia(valid);
        if (!manifests) return;
        const entries = valid.map((script, index) => {
          const media = manifests[index] as MediaManifest;
          const upload: ScriptUpload = {
            name: script.name,
            text: script.text,
            ...(Object.keys(media).length > 0 ? { media } : {}),
          };
          return { script, upload };
        });
        // A call takes so many scripts, and so many bytes: a larger drop is queued in several.
        const outcomes: ImportOutcome[] = [];
        for (const batch of importBatches(entries, (e) => utf8Length(JSON.stringify(e.upload)))) {
          const answer = await callApi(
            'scripts.import',
            {
              scripts: batch.map((entry) => entry.upload),
              ...(recipe ? { recipe } : {}),
              ...(videoPreset ? { videoPreset } : {}),
            },
            'Queueing scripts',
          );
          if (!answer) break;
          // Outcomes come back in the order the scripts were sent (names may repeat, so not by name).
          batch.forEach(({ script }, index) => {
            const outcome = answer[index];
            if (!outcome) return;
            if (outcome.queued)
              update(script.key, { state: 'queued', jobId: outcome.jobId, check: outcome.check });
            else update(script.key, { state: 'checked', check: outcome.check });
          });
          outcomes.push(...answer);
        }
        const queued = outcomes.filter((outcome) => outcome.queued).length;
        if (queued > 0) notify('success', `Queued ${countLabel(queued, 'script')}.`);
        await useJobsStore.getState().load();
      } finally {
        set({ queueing: false });
      }
    },
  };
});

function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** The dropped files a checked script names and were found, by the path it names them with. */
function namedMedia(script: DroppedScript): Record<string, File> {
  const named: Record<string, File> = {};
  for (const use of script.check?.media ?? []) {
    const path = use.found ? canonicalMediaPath(use.path) : null;
    const file = path ? script.files[path] : undefined;
    if (path && file) named[path] = file;
  }
  return named;
}

/**
 * Hashes the media the scripts name, sends the ones the node lacks (each once, however many scripts
 * name it) and returns each script's manifest; undefined when something could not be sent (notified).
 */
async function sendMedia(scripts: readonly DroppedScript[]): Promise<MediaManifest[] | undefined> {
  const hashes = new Map<File, string>();
  const manifests: MediaManifest[] = [];
  for (const script of scripts) {
    const manifest: MediaManifest = {};
    for (const [path, file] of Object.entries(namedMedia(script))) {
      let sha256 = hashes.get(file);
      if (!sha256) {
        sha256 = await sha256OfFile(file);
        hashes.set(file, sha256);
      }
      manifest[path] = { sha256, size: file.size };
    }
    manifests.push(manifest);
  }
  if (hashes.size === 0) return manifests;
  const wanted = await callApi('media.wanted', { sha256s: [...new Set(hashes.values())] }, 'Sending media');
  const client = useSessionStore.getState().connection?.client;
  if (!wanted || !client) return undefined;
  const byHash = new Map([...hashes].map(([file, sha256]) => [sha256, file]));
  const failures: string[] = [];
  await runLimited(wanted.wanted, UPLOADS_AT_ONCE, async (sha256) => {
    const file = byHash.get(sha256);
    if (!file) return;
    const sent = await client.uploadMedia(file, sha256);
    if (!sent.ok) failures.push(sent.error.message);
  });
  if (failures.length > 0) {
    notify(
      'error',
      `Sending media: ${failures[0]}${failures.length > 1 ? ` (and ${failures.length - 1} more)` : ''}`,
    );
    return undefined;
  }
  return manifests;
}
