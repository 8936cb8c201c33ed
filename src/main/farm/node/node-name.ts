import { hostname } from 'node:os';

/** The name people see: --name, else the machine's name without its domain. */
export function defaultNodeName(): string {
  return (hostname().split('.')[0] ?? 'mac').replace(/[^A-Za-z0-9-]/g, '-').slice(0, 40) || 'mac';
}
