import { useEffect } from 'react';
import { AppHeader } from './components/AppHeader.tsx';
import { NodeMain } from './components/NodeMain.tsx';
import { ScreenBoundary } from './components/ScreenBoundary.tsx';
import { Toasts } from './components/Toasts.tsx';
import { DashboardScreen } from './screens/dashboard/DashboardScreen.tsx';
import { FarmScreen } from './screens/farm/FarmScreen.tsx';
import { JobScreen } from './screens/job/JobScreen.tsx';
import { JobsScreen } from './screens/jobs/JobsScreen.tsx';
import { LibraryScreen } from './screens/LibraryScreen.tsx';
import { LoginScreen } from './screens/LoginScreen.tsx';
import { SettingsScreen } from './screens/SettingsScreen.tsx';
import { startLiveUpdates } from './stores/live-updates.ts';
import { followLocationHash, useRouteStore } from './stores/route-store.ts';
import { loadInitialData } from './stores/session-actions.ts';
import { useSessionStore } from './stores/session-store.ts';

function CurrentScreen() {
  const route = useRouteStore((state) => state.route);
  return (
    <ScreenBoundary key={route.screen === 'job' ? `job:${route.jobId}` : route.screen}>
      <RoutedScreen />
    </ScreenBoundary>
  );
}

function RoutedScreen() {
  const route = useRouteStore((state) => state.route);
  switch (route.screen) {
    case 'jobs':
      return <JobsScreen />;
    case 'job':
      return <JobScreen jobId={route.jobId} />;
    case 'farm':
      return <FarmScreen />;
    case 'dashboard':
      return <DashboardScreen />;
    case 'library':
      return <LibraryScreen />;
    case 'settings':
      return <SettingsScreen />;
  }
}

/** The logged-in app: live events flow while it is shown, and stop when the session ends. */
function Shell() {
  const connection = useSessionStore((state) => state.connection);
  useEffect(() => {
    if (!connection) return;
    const stop = startLiveUpdates(connection);
    loadInitialData();
    return stop;
  }, [connection]);
  useEffect(followLocationHash, []);
  const stale = useSessionStore((state) => state.stream === 'reconnecting');
  return (
    <>
      <AppHeader />
      <NodeMain stale={stale}>
        <CurrentScreen />
      </NodeMain>
    </>
  );
}

export function App() {
  const phase = useSessionStore((state) => state.phase);
  return (
    <>
      {phase === 'starting' ? (
        <main>
          <p className="muted">Connecting to the node…</p>
        </main>
      ) : phase === 'login' ? (
        <LoginScreen />
      ) : (
        <Shell />
      )}
      <Toasts />
    </>
  );
}
