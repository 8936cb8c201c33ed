/** One route per screen, kept in location.hash so the back button and deep links work. */
export type Route =
  | { screen: 'jobs' }
  | { screen: 'job'; jobId: string }
  | { screen: 'farm' }
  | { screen: 'dashboard' }
  | { screen: 'library' }
  | { screen: 'settings' };

export type Screen = Route['screen'];

const JOB_ID = /^[A-Za-z0-9_-]{1,128}$/;

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  const [first, second] = parts;
  switch (first) {
    case 'farm':
    case 'dashboard':
    case 'library':
    case 'settings':
      return { screen: first };
    case 'jobs':
      if (second !== undefined && JOB_ID.test(second)) return { screen: 'job', jobId: second };
      return { screen: 'jobs' };
    default:
      return { screen: 'jobs' };
  }
}

export function routeToHash(route: Route): string {
  return route.screen === 'job' ? `#/jobs/${route.jobId}` : `#/${route.screen}`;
}
