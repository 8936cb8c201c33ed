/**
 * The menu-bar item as data: what it says and which actions it offers, from the node's state.
 * The Electron shell turns the model into a native Menu; everything worth testing is here.
 */
import { describeRate, formatEta, type ProgressRate } from '../../shared/progress-rate.ts';

export type TrayRole = 'coordinator' | 'worker' | 'candidate' | 'solo';

export interface TrayTask {
  title: string;
  /** 0–100; anything else is clamped. */
  percent: number;
  /** How fast it encodes and when it will be done, once ffmpeg says. */
  rate?: ProgressRate | undefined;
}

/** What this Mac's worker is encoding, as the menu lists it. */
export function trayTasksOf(
  leases: readonly { jobId: string; progress: number; rate?: ProgressRate | undefined }[],
): TrayTask[] {
  return leases.map((lease) => ({
    title: `job ${lease.jobId.slice(0, 8)}`,
    percent: lease.progress * 100,
    ...(lease.rate ? { rate: lease.rate } : {}),
  }));
}

/**
 * The tray's "waiting" count, read afresh each time: the farm's queue while this Mac coordinates, its
 * own tasks not back yet otherwise (queued or encoding elsewhere: only a coordinator tells them apart). It kept the last count a coordinator saw, so a Mac that stopped
 * coordinating showed "Queue: 12 waiting" for good, and one that never did, "empty" (found by
 * reviewing the shell).
 */
export function trayQueued(node: { farmQueued: number | null; ownUnfinished: number }): number {
  return node.farmQueued ?? node.ownUnfinished;
}

export interface TrayState {
  role: TrayRole;
  /** Encodes running on this Mac, whoever's job they are. */
  running: TrayTask[];
  /** Tasks waiting (the farm's queue on a coordinator, this node's otherwise). */
  queued: number;
  /** This Mac takes no new work (what runs finishes). */
  paused: boolean;
  farmName?: string;
  /** Open at login, when the shell can change it (undefined hides the item, e.g. in development). */
  launchAtLogin?: boolean;
  /** No Dock icon, no window at start: this Mac only encodes for the farm. */
  workerOnly?: boolean;
}

export type TrayAction = 'open' | 'pause' | 'resume' | 'toggle-login' | 'toggle-worker-only' | 'quit';

export type MenuItemModel =
  | { kind: 'label'; label: string }
  | { kind: 'separator' }
  | { kind: 'action'; action: TrayAction; label: string; checked?: boolean };

/** Running tasks listed one by one; the rest are summarised so the menu stays short. */
export const MAX_LISTED_TASKS = 5;
const MAX_TITLE = 40;

const ROLE_LABELS: Record<TrayRole, string> = {
  coordinator: 'Coordinator',
  worker: 'Worker',
  candidate: 'Looking for the farm',
  solo: 'This Mac',
};

/**
 * What the menu bar calls this Mac: the coordinator; a worker (of a coordinator it follows, a worker-only
 * Mac, or a node whose queue is in Redis — there is no coordinator to be or to look for); or, while no
 * coordinator is known yet, looking for the farm.
 */
export function trayRoleOf(
  election: { isCoordinator: boolean; coordinator: unknown } | null,
  workerOnly: boolean,
): TrayRole {
  if (election?.isCoordinator) return 'coordinator';
  if (workerOnly || election === null || election.coordinator !== null) return 'worker';
  return 'candidate';
}

export function percentOf(task: TrayTask): number {
  const value = Number.isFinite(task.percent) ? task.percent : 0;
  // Floor: a task at 99.7% is not done, and the menu must not say 100% before it is.
  return Math.min(100, Math.max(0, Math.floor(value)));
}

function shortTitle(title: string): string {
  const clean = title.replace(/\s+/g, ' ').trim() || 'Untitled';
  return clean.length > MAX_TITLE ? `${clean.slice(0, MAX_TITLE - 1).trimEnd()}…` : clean;
}

function activity(state: TrayState): string {
  if (state.running.length > 0) return `${state.running.length} encoding`;
  return state.paused ? 'paused' : 'idle';
}

export function trayMenuModel(state: TrayState): MenuItemModel[] {
  const items: MenuItemModel[] = [
    { kind: 'label', label: `${ROLE_LABELS[state.role]} — ${activity(state)}` },
  ];
  if (state.farmName) items.push({ kind: 'label', label: `Farm: ${state.farmName}` });
  for (const task of state.running.slice(0, MAX_LISTED_TASKS)) {
    const rate = describeRate(task.rate);
    items.push({
      kind: 'label',
      label: `${shortTitle(task.title)} — ${percentOf(task)}%${rate ? ` · ${rate}` : ''}`,
    });
  }
  const hidden = state.running.length - MAX_LISTED_TASKS;
  if (hidden > 0) items.push({ kind: 'label', label: `and ${hidden} more` });
  items.push({ kind: 'label', label: state.queued > 0 ? `Queue: ${state.queued} waiting` : 'Queue: empty' });
  items.push({ kind: 'separator' });
  items.push(
    state.paused
      ? { kind: 'action', action: 'resume', label: 'Resume taking work' }
      : { kind: 'action', action: 'pause', label: 'Pause taking work' },
  );
  items.push({ kind: 'separator' });
  items.push({ kind: 'action', action: 'open', label: 'Open Video Factory' });
  if (state.launchAtLogin !== undefined) {
    items.push({
      kind: 'action',
      action: 'toggle-login',
      label: 'Open at Login',
      checked: state.launchAtLogin,
    });
  }
  if (state.workerOnly !== undefined) {
    items.push({
      kind: 'action',
      action: 'toggle-worker-only',
      label: 'Worker Only (No Dock Icon)',
      checked: state.workerOnly,
    });
  }
  items.push({ kind: 'separator' });
  items.push({ kind: 'action', action: 'quit', label: 'Quit Video Factory' });
  return items;
}

/**
 * The short text beside the template icon: nothing when idle, "2 ▸ 45% 0:32" while encoding (the mean
 * progress of what runs here, and when the last of it will be done once every encode has an estimate),
 * "Paused" when paused and idle.
 */
export function trayTitle(state: TrayState): string {
  if (state.running.length > 0) {
    const mean = state.running.reduce((sum, task) => sum + percentOf(task), 0) / state.running.length;
    const etas = state.running.map((task) => task.rate?.etaMs);
    const known = etas.every((eta) => eta !== undefined);
    const eta = known ? ` ${formatEta(Math.max(...(etas as number[])))}` : '';
    return `${state.running.length} ▸ ${Math.floor(mean)}%${eta}`;
  }
  return state.paused ? 'Paused' : '';
}

/** The icon's tooltip: the first line of the menu, with the app's name. */
export function trayTooltip(state: TrayState): string {
  return `Video Factory — ${ROLE_LABELS[state.role]}, ${activity(state)}`;
}
