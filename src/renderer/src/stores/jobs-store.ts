/**
 * The jobs of the node: the list (summaries) and the one job open in the job view (with its logs and
 * artifacts). Loaded once, then kept current by live events; a job or step event also reloads the
 * open job's detail (debounced), so its logs and attempts follow without polling.
 */
import { create } from 'zustand';
import type { JobDetail, JobSummary, VfoEvent } from '../../../shared/contract.ts';
import { applyJobEvent, isJobEvent } from '../lib/job-events.ts';
import { keyedDebounce } from '../lib/keyed-debounce.ts';
import { callApi } from './call-api.ts';
import { notify } from './toast-store.ts';

const LIST_LIMIT = 200;
const DETAIL_RELOAD_DELAY_MS = 250;

interface JobsState {
  byId: Record<string, JobSummary>;
  loaded: boolean;
  /** The job the job view shows, and its detail once loaded. */
  openId: string | null;
  detail: JobDetail | null;
  /** The open job's detail could not be loaded (and none was shown): the screen offers to try again. */
  detailFailed: boolean;
  /** Job ids with a retry or cancel in flight (their buttons are disabled meanwhile). */
  pending: Record<string, true>;
  load(): Promise<void>;
  open(id: string): Promise<void>;
  close(): void;
  reloadDetail(id: string): Promise<void>;
  upsert(job: JobSummary): void;
  applyEvent(event: VfoEvent): void;
  retry(id: string, fromStep?: string): Promise<boolean>;
  cancel(id: string): Promise<boolean>;
  /** A queued or running job's priority on the farm (higher first); false when the node refused it. */
  setPriority(id: string, priority: number): Promise<boolean>;
}

export function newestFirst(jobs: Record<string, JobSummary>): JobSummary[] {
  return Object.values(jobs).sort(
    (a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id),
  );
}

/** The list keeps summaries only: logs and artifacts live in the open job's detail. */
function toSummary(job: JobSummary | JobDetail): JobSummary {
  const { artifacts: _artifacts, logs: _logs, ...summary } = job as JobDetail;
  return summary;
}

const fetching = new Set<string>();

export const useJobsStore = create<JobsState>()((set, get) => {
  const scheduleDetailReload = keyedDebounce((id) => {
    if (get().openId === id) void get().reloadDetail(id);
  }, DETAIL_RELOAD_DELAY_MS);

  /** An event about a job we do not hold (imported elsewhere): fetch it once. */
  const fetchUnknown = async (id: string): Promise<void> => {
    if (fetching.has(id)) return;
    fetching.add(id);
    try {
      const job = await callApi('jobs.get', { id }, 'Loading a new job');
      if (job) get().upsert(job);
    } finally {
      fetching.delete(id);
    }
  };

  /** True when the node did it (a refusal is notified by callApi). */
  const runAction = async (
    id: string,
    action: () => Promise<JobSummary | undefined>,
    done: string,
  ): Promise<boolean> => {
    set((state) => ({ pending: { ...state.pending, [id]: true } }));
    try {
      const job = await action();
      if (!job) return false;
      get().upsert(job);
      notify('info', done);
      scheduleDetailReload(id);
      return true;
    } finally {
      set((state) => {
        const { [id]: _, ...rest } = state.pending;
        return { pending: rest };
      });
    }
  };

  return {
    byId: {},
    loaded: false,
    openId: null,
    detail: null,
    detailFailed: false,
    pending: {},
    async load() {
      const jobs = await callApi('jobs.list', { limit: LIST_LIMIT }, 'Loading jobs');
      if (!jobs) return;
      set({ byId: Object.fromEntries(jobs.map((job) => [job.id, job])), loaded: true });
    },
    async open(id) {
      set((state) => ({
        openId: id,
        detail: state.detail?.id === id ? state.detail : null,
        detailFailed: false,
      }));
      await get().reloadDetail(id);
    },
    close() {
      set({ openId: null, detail: null, detailFailed: false });
    },
    async reloadDetail(id) {
      const detail = await callApi('jobs.get', { id }, 'Loading the job');
      if (!detail) {
        if (get().openId === id && get().detail?.id !== id) set({ detailFailed: true });
        return;
      }
      get().upsert(detail);
      // Only show it if the user has not moved on to another job meanwhile.
      if (get().openId === id) set({ detail, detailFailed: false });
    },
    upsert(job) {
      set((state) => ({ byId: { ...state.byId, [job.id]: toSummary(job) } }));
    },
    applyEvent(event) {
      if (!isJobEvent(event)) return;
      const { byId, detail } = get();
      const known = byId[event.jobId];
      if (!known) {
        void fetchUnknown(event.jobId);
        return;
      }
      const updated = applyJobEvent(known, event);
      const updatedDetail = detail?.id === event.jobId ? applyJobEvent(detail, event) : detail;
      if (updated !== known || updatedDetail !== detail) {
        set((state) => ({ byId: { ...state.byId, [event.jobId]: updated }, detail: updatedDetail }));
      }
      if (event.type !== 'progress' && get().openId === event.jobId) scheduleDetailReload(event.jobId);
    },
    retry(id, fromStep) {
      return runAction(
        id,
        () => callApi('jobs.retry', fromStep ? { id, fromStep } : { id }, 'Retry'),
        fromStep ? `Re-running from “${fromStep}”.` : 'Retrying the failed step.',
      );
    },
    setPriority(id, priority) {
      return runAction(
        id,
        () => callApi('jobs.setPriority', { id, priority }, 'Priority'),
        `Priority ${priority}: the farm takes it in that order.`,
      );
    },
    cancel(id) {
      return runAction(id, () => callApi('jobs.cancel', { id }, 'Cancel'), 'Job cancelled.');
    },
  };
});
