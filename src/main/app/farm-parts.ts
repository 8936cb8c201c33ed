/**
 * What only a farm node needs — its identity, the LAN node (Fastify, mDNS), the Redis node (BullMQ),
 * monitoring (prom-client) and the UI's routes — loaded on demand by openApp. These libraries take
 * about a third of a second to load; `vfo render`, `vfo check` and an instant re-render never pay it.
 */
export async function loadFarmParts() {
  const [net, lan, redis, ops, ui] = await Promise.all([
    import('../farm/net/index.ts'),
    import('../farm/node/farm-node.ts'),
    import('../farm/redis/index.ts'),
    import('../ops/index.ts'),
    import('./ui.ts'),
  ]);
  return {
    loadNodeIdentity: net.loadNodeIdentity,
    FarmNode: lan.FarmNode,
    RedisFarmNode: redis.RedisFarmNode,
    parseRedisUrl: redis.parseRedisUrl,
    createOps: ops.createOps,
    startMetricsServer: ops.startMetricsServer,
    webhookSecretFromText: ops.webhookSecretFromText,
    createUi: ui.createUi,
  };
}

export type FarmParts = Awaited<ReturnType<typeof loadFarmParts>>;
