import type { StreamState } from '../client/connection.ts';
import { routeToHash, type Screen } from '../lib/routes.ts';
import { useRouteStore } from '../stores/route-store.ts';
import { useSessionStore } from '../stores/session-store.ts';

type Section = Exclude<Screen, 'job'>;

const SECTIONS: { screen: Section; label: string }[] = [
  { screen: 'jobs', label: 'Jobs' },
  { screen: 'farm', label: 'Farm' },
  { screen: 'dashboard', label: 'Dashboard' },
  { screen: 'library', label: 'Library' },
  { screen: 'settings', label: 'Settings' },
];

const STREAM_LABELS: Record<StreamState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
};

export function AppHeader() {
  const screen = useRouteStore((state) => state.route.screen);
  const nodeName = useSessionStore((state) => state.nodeName);
  const stream = useSessionStore((state) => state.stream);
  const canLogOut = useSessionStore((state) => Boolean(state.connection?.logout));
  const logOut = useSessionStore((state) => state.logOut);
  // The job view belongs to the Jobs section.
  const section = screen === 'job' ? 'jobs' : screen;
  return (
    <header className="app-header">
      <span className="app-title">Video Factory</span>
      <nav className="main-nav" aria-label="Main">
        <ul>
          {SECTIONS.map(({ screen: target, label }) => (
            <li key={target}>
              <a
                href={routeToHash({ screen: target })}
                aria-current={section === target ? 'page' : undefined}
              >
                {label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="header-status">
        {nodeName ? <span data-testid="node-name">Node: {nodeName}</span> : null}
        <span data-testid="stream-state" data-state={stream}>
          {STREAM_LABELS[stream]}
        </span>
        {canLogOut ? (
          <button type="button" onClick={() => void logOut()}>
            Log out
          </button>
        ) : null}
      </div>
    </header>
  );
}
