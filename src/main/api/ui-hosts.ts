import { isIP } from 'node:net';
import { hostname } from 'node:os';

/**
 * Which names a node's UI API answers to. A web page the user visits can rebind its own DNS name to a
 * node's address (DNS rebinding): its scripts then reach the node from the user's browser and address,
 * as the same origin, and could spend that address's login limits. Such a request still carries the
 * page's own name in `Host`. So the API answers only a request addressed to the node by
 * - an IP address or `localhost` (no DNS involved);
 * - a name without a dot (`studio-1`: a search domain, NetBIOS or LLMNR answer it; no public DNS name
 *   is dotless);
 * - an mDNS name (`*.local`: the LAN answers it, no public DNS server can hand it to a web site);
 * - this computer's host name;
 * - the host of its advertised URL (Redis mode's `--advertise-url`);
 * - a name the studio gives (`vfo node --ui-host NAME`, or the `ui.hosts` setting: Settings in the app;
 *   e.g. a name in the studio's own DNS).
 * The page's files are public anyway; only `/api/` is checked. The farm's signed routes bind their own
 * receiver and are not checked here.
 */
export function uiHostRule(names: readonly string[]): (host: string | undefined) => boolean {
  const known = new Set([normalName(hostname()), ...names.map(normalName)]);
  return (host) => {
    const name = host === undefined ? undefined : hostOf(host);
    if (!name) return false;
    return isIP(name) !== 0 || !name.includes('.') || name.endsWith('.local') || known.has(name);
  };
}

function normalName(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** The host of a `Host` header ("name:port", "[v6]:port", "1.2.3.4"), lower case, or null if malformed. */
function hostOf(header: string): string | null {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+))(?::\d{1,5})?$/.exec(header.trim());
  if (!match) return null;
  return normalName((match[1] ?? match[2]) as string);
}
