/**
 * The metrics listener: a server of its own, on the address the user gave (`--metrics-listen`), so the
 * farm's port need not be opened to a Prometheus server and the metrics need no farm signature. It
 * serves `/metrics` only; nothing on it changes anything.
 */
import { createHttpServer } from '../http/index.ts';
import type { OpsMetrics } from './metrics.ts';

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

export async function startMetricsServer(options: {
  host: string;
  port: number;
  metrics: OpsMetrics;
  name: string;
}): Promise<MetricsServer> {
  const server = await createHttpServer({
    host: options.host,
    port: options.port,
    name: `${options.name}-metrics`,
    routes: (app) => {
      app.get('/metrics', { config: { auth: 'none' } }, async (_request, reply) => {
        const text = await options.metrics.text();
        return reply.type(options.metrics.contentType).send(text);
      });
    },
  });
  const { url } = await server.start();
  return { url: `${url}/metrics`, close: () => server.close() };
}
