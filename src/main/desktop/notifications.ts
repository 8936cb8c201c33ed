/** The texts of the app's system notifications and dialogs, as pure functions of what happened. */
import type { Alert, ImportOutcome, VfoEvent } from '../../shared/contract.ts';
import { printable, shorten } from '../../shared/text.ts';

export interface NotificationText {
  title: string;
  body: string;
}

/** A notification body is a line or two in Notification Centre; longer errors are cut. */
export const MAX_ERROR_CHARS = 140;

/** The first meaningful line of an error, cut to fit (ffmpeg and SDK errors run to many lines). */
export function shortError(error: string | undefined): string {
  const line =
    (error ?? '')
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find(Boolean) ?? '';
  if (!line) return 'Unknown error';
  const shown = printable(line);
  return shown.length > MAX_ERROR_CHARS ? `${shown.slice(0, MAX_ERROR_CHARS - 1).trimEnd()}…` : shown;
}

/** A name from a file or a script, as a notification shows it: one line, no bidi overrides, cut. */
function displayTitle(title: string | undefined): string {
  const clean = printable((title ?? '').replace(/\s+/g, ' ').trim());
  return shorten(clean, MAX_ERROR_CHARS) || 'Untitled video';
}

/** Done → "Video ready", failed → "Render failed" with the reason; every other event → null. */
export function notificationFor(event: VfoEvent, jobTitle: string | undefined): NotificationText | null {
  if (event.type !== 'job') return null;
  if (event.status === 'done') return { title: 'Video ready', body: displayTitle(jobTitle) };
  if (event.status === 'failed') {
    return { title: 'Render failed', body: `${displayTitle(jobTitle)}: ${shortError(event.error)}` };
  }
  return null;
}

/** Notifications one status update may raise for new alerts. */
export const MAX_ALERT_NOTIFICATIONS = 3;

const ALERT_TITLES: Record<Alert['severity'], string> = {
  critical: 'Farm alert',
  warning: 'Farm warning',
  info: 'Farm summary',
};

/**
 * The farm's alerts not announced yet, as notifications: each alert once, however many status updates
 * repeat it. `announced` holds the ids already shown; ids no longer in force leave it, so an alert that
 * comes back later is shown again. Returns the notifications and the ids to remember.
 */
export function alertNotifications(
  alerts: readonly Alert[],
  announced: ReadonlySet<string>,
): { notifications: NotificationText[]; announced: Set<string> } {
  const current = new Set(alerts.map((a) => a.id));
  const fresh = alerts.filter((a) => !announced.has(a.id));
  // The alerts come from the coordinator, any key holder: a thousand new ones are one notification
  // past the first few, not a thousand.
  const shown = fresh.length > MAX_ALERT_NOTIFICATIONS ? fresh.slice(0, MAX_ALERT_NOTIFICATIONS - 1) : fresh;
  const notifications = shown.map((a) => ({ title: ALERT_TITLES[a.severity], body: shortError(a.message) }));
  const more = fresh.length - shown.length;
  if (more > 0) notifications.push({ title: 'Farm alerts', body: `${more} more alerts: see the Farm view` });
  return { notifications, announced: current };
}

/**
 * Scripts opened from the Dock or Finder that were not queued (invalid, unreadable) must not vanish
 * silently: one notification names them and the first problem. Null when everything was queued.
 */
export function importProblemsNotification(
  outcomes: ImportOutcome[],
  unreadable: { name: string; reason: string }[] = [],
): NotificationText | null {
  const rejected = outcomes.filter((o) => !o.queued);
  const problems = [
    ...unreadable.map((u) => ({ name: u.name, detail: u.reason })),
    ...rejected.map((o) => {
      const first = o.check.diagnostics.find((d) => d.severity === 'error') ?? o.check.diagnostics[0];
      return { name: o.name, detail: first ? `line ${first.line}: ${first.message}` : 'not accepted' };
    }),
  ];
  const [first] = problems;
  if (!first) return null;
  const name = displayTitle(first.name);
  const title =
    problems.length === 1 ? `${name} was not imported` : `${problems.length} scripts were not imported`;
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
  return { title, body: `${name}: ${shortError(first.detail)}${more}` };
}

/** Asked before quitting while encodes run; null means quit without asking. */
export function quitConfirmation(runningEncodes: number): { message: string; detail: string } | null {
  if (runningEncodes <= 0) return null;
  const what = runningEncodes === 1 ? 'A video is' : `${runningEncodes} videos are`;
  return {
    message: `${what} being encoded on this Mac. Quit anyway?`,
    detail:
      'Unfinished encodes stop now and start again when Video Factory next runs (here or on another Mac of the farm).',
  };
}
