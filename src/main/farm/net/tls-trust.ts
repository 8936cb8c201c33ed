/**
 * Whom this node believes over HTTPS. A farm that spans networks (Redis mode, docs/FARM.md) serves its
 * nodes over HTTPS; a client then trusts a peer's certificate in one of two ways:
 * - a pinned fingerprint: the sha256 of exactly that certificate. Workers learn an origin's from the
 *   task payload the origin signed with its admitted key (so the farm key vouches for it); a CLI
 *   client is given it with the farm key (`--tls-pin`). Self-signed certificates are fine: nothing but
 *   the pinned bytes is accepted, and the check runs before a byte of the request is sent;
 * - a CA file (`--tls-ca`): the usual chain and host-name verification, for studios with their own CA.
 * Signatures still say who a node is; TLS adds secrecy on the wire and keeps a man in the middle out.
 */

import { X509Certificate } from 'node:crypto';
import type { RequestOptions } from 'node:http';
import { type AgentOptions, Agent as HttpsAgent } from 'node:https';
import type { Duplex } from 'node:stream';
import { type ConnectionOptions, connect, type TLSSocket } from 'node:tls';
import { LRUCache } from 'lru-cache';
import { FarmHttpError } from './errors.ts';

const FINGERPRINT = /^[0-9a-f]{64}$/;

/** sha256/AB:CD:…, AB:CD:…, or plain hex → 64 lower-case hex digits; null if it is none of those. */
export function parseFingerprint(text: string): string | null {
  const hex = text
    .trim()
    .replace(/^sha256[/:]/i, '')
    .replace(/:/g, '')
    .toLowerCase();
  return FINGERPRINT.test(hex) ? hex : null;
}

/** The fingerprint of a PEM certificate (the first one of a chain), as parseFingerprint writes it. */
export function certificateFingerprint(pem: string | Buffer): string {
  return parseFingerprint(new X509Certificate(pem).fingerprint256) as string;
}

/**
 * An agent that accepts only the certificate with this fingerprint. Node would refuse a self-signed
 * certificate before any host check runs, so chain verification is off and the pin is checked on
 * the handshake itself; the socket is handed to HTTP only once it matched.
 */
class PinnedAgent extends HttpsAgent {
  private readonly pin: string;

  constructor(pin: string, options: AgentOptions) {
    super(options);
    this.pin = pin;
  }

  override createConnection(
    options: RequestOptions,
    done?: (error: Error | null, stream: Duplex) => void,
  ): Duplex | undefined {
    const socket: TLSSocket = connect({ ...(options as ConnectionOptions), rejectUnauthorized: false });
    let settled = false;
    const settle = (error: Error | null) => {
      if (settled) return;
      settled = true;
      if (error) socket.destroy();
      done?.(error, socket);
    };
    socket.once('secureConnect', () => {
      const presented = socket.getPeerCertificate().fingerprint256 ?? '';
      if (parseFingerprint(presented) === this.pin) settle(null);
      else
        settle(
          new FarmHttpError(
            'unauthenticated',
            `the certificate of ${options.host}:${options.port} is not the pinned one (sha256 ${this.pin.slice(0, 16)}…)`,
          ),
        );
    });
    socket.once('error', (error) => settle(error));
    return undefined;
  }
}

export interface TlsTrustOptions {
  /** PEM certificates of CAs to trust (`--tls-ca`). */
  ca?: string | Buffer | undefined;
  /** Fingerprints pinned for whole origins (`--tls-pin` of a CLI client), keyed by URL origin. */
  pins?: Record<string, string>;
}

/**
 * Pins learned from signed tasks, and agents, kept at most: each task a key holder signs may name
 * another origin and certificate, so a map of them grew with every task (the least recently used go;
 * a pin is learned again from the next task of its origin).
 */
const MAX_LEARNED_PINS = 4096;
const MAX_AGENTS = 256;

export class TlsTrust {
  private readonly ca: string | Buffer | undefined;
  /** `--tls-pin`s given on the command line: never forgotten. */
  private readonly given = new Map<string, string>();
  private readonly learned = new LRUCache<string, string>({ max: MAX_LEARNED_PINS });
  private readonly agents = new LRUCache<string, HttpsAgent>({
    max: MAX_AGENTS,
    dispose: (agent) => agent.destroy(),
  });

  constructor(options: TlsTrustOptions = {}) {
    this.ca = options.ca;
    for (const [origin, pin] of Object.entries(options.pins ?? {})) this.given.set(origin, pin);
  }

  /** Whether this node can trust an https peer it has no pin for (it has a CA file). */
  get hasCa(): boolean {
    return this.ca !== undefined;
  }

  /**
   * Pins `fingerprint` for the node `id` at `url` (learned from a payload that node signed). Pins are
   * per node and address: another member naming the same address cannot re-pin it for this one.
   */
  pin(url: string, id: string, fingerprint: string): void {
    this.learned.set(pinKey(url, id), fingerprint);
  }

  /** The agent for an https peer: its pin if one is known, else the CA file; none means not trusted. */
  agentFor(url: string, id?: string): HttpsAgent {
    const pin =
      (id === undefined ? undefined : this.learned.get(pinKey(url, id))) ?? this.given.get(originOf(url));
    const name = pin ? `pin:${pin}` : 'ca';
    const known = this.agents.get(name);
    if (known) return known;
    if (!pin && this.ca === undefined) {
      throw new FarmHttpError(
        'unauthenticated',
        `no way to trust ${originOf(url)}: pin its certificate (--tls-pin) or give the CA (--tls-ca)`,
      );
    }
    // A few sockets a peer, kept alive like the plain HTTP agent's.
    const options: AgentOptions = { keepAlive: true, maxSockets: 8 };
    const agent = pin ? new PinnedAgent(pin, options) : new HttpsAgent({ ...options, ca: this.ca });
    this.agents.set(name, agent);
    return agent;
  }

  close(): void {
    // Clearing disposes of each agent (its sockets destroyed).
    this.agents.clear();
  }
}

function originOf(url: string): string {
  return new URL(url).origin;
}

function pinKey(url: string, id: string): string {
  return `${id}@${originOf(url)}`;
}
