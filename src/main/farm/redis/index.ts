/** The farm's queue in Redis (BullMQ): a node that joins by URL, without mDNS or an election. */
export { parseRedisUrl, type RedisTarget, RedisUrlError } from './redis-link.ts';
export { RedisFarmNode, type RedisFarmNodeOptions } from './redis-node.ts';
