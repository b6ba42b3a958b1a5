/** The Redis client libraries the tests run against, by the name each test reports. */
export const CLIENT_NAMES = ['node-redis 6', 'node-redis 5', 'ioredis 5', 'ioredis 6', 'iovalkey', 'valkey-glide'] as const
export type ClientName = (typeof CLIENT_NAMES)[number]
