import type { DispatchStats } from './dispatch/sealer.js'
import type { OpenCounts } from './records/acceptance.js'
import type { WriteCounts } from './records/concurrent-write.js'

/** What {@link RedisStore.stats} returns: counters since the store was created, and the pool right now. */
export interface StoreStats extends DispatchStats, OpenCounts, WriteCounts {
  /** Records written. */
  sealed: number
}
