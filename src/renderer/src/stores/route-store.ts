/** The current screen, mirrored in location.hash (so back/forward and reloads keep the place). */
import { create } from 'zustand';
import { parseRoute, type Route, routeToHash } from '../lib/routes.ts';

interface RouteState {
  route: Route;
  navigate(route: Route): void;
}

export const useRouteStore = create<RouteState>()((set) => ({
  route: parseRoute(globalThis.location?.hash ?? ''),
  navigate(route) {
    const hash = routeToHash(route);
    if (globalThis.location && globalThis.location.hash !== hash) globalThis.location.hash = hash;
    set({ route });
  },
}));

export function followLocationHash(): () => void {
  const onHashChange = (): void => useRouteStore.setState({ route: parseRoute(window.location.hash) });
  window.addEventListener('hashchange', onHashChange);
  return () => window.removeEventListener('hashchange', onHashChange);
}
