import type { SealTimes } from '../codec/seal.js'
import type { OpenedText } from '../codec/text.js'
import type { DispatchStats, Sealer } from '../dispatch/sealer.js'
import type { SealErrorInfo } from '../options/types.js'
import type { StoreStats } from '../stats.js'
import type { MeterLike, MetricAttributes, ObservationSink, ResolvedMetrics } from './metrics-options.js'

/** The store's counters as {@link RedisStore.stats} reports them. */
export type CountedStats = StoreStats

type Series = [attributes: Record<string, string>, value: number][]
type Counted = (s: CountedStats) => Series

/** Seconds: 50 µs (an inline 1 KB seal) to 2.5 s (a stalled pool). */
const SECONDS = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5]
/** Bytes: 256 B to 8 MiB (the default maxSessionBytes). */
const BYTES = [256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 8388608]

/** Monotonic counts read from `stats()` at each collection. */
const COUNTERS: readonly [name: string, unit: string, description: string, read: Counted][] = [
  ['connect_redis_sealed.seals', '{seal}', 'Sessions sealed and written by set', (s) => [[{}, s.sealed]]],
  [
    'connect_redis_sealed.opens',
    '{open}',
    'Sessions read and opened; key: newest, older (re-sealed on the next write) or legacy (a connect-redis/connect-redis-crypto record)',
    (s) => [
      [{ key: 'newest' }, s.opened - s.openedWithOldKey - s.legacyOpened],
      [{ key: 'older' }, s.openedWithOldKey],
      [{ key: 'legacy' }, s.legacyOpened],
    ],
  ],
  ['connect_redis_sealed.operations', '{operation}', 'Seal and open operations by where they ran (placement: inline, pool, or memory: an open of bytes this store had already verified)', (s) => [[{ placement: 'inline' }, s.inline], [{ placement: 'pool' }, s.pooled], [{ placement: 'memory' }, s.recalled]]],
  ['connect_redis_sealed.pool.fallbacks', '{operation}', 'Operations meant for the pool that ran inline because its queue was full', (s) => [[{}, s.fallbacks]]],
  ['connect_redis_sealed.write.conflicts', '{write}', 'Writes that found another request\'s record instead of the one their session was read from (then merged)', (s) => [[{}, s.conflicts]]],
  ['connect_redis_sealed.write.merges', '{merge}', 'Three-way merges run after a conflict', (s) => [[{}, s.merges]]],
  ['connect_redis_sealed.write.merge_conflicts', '{path}', 'Places where both requests changed the same path differently (the later writer\'s value kept)', (s) => [[{}, s.mergeConflicts]]],
  ['connect_redis_sealed.write.dropped', '{write}', 'Writes not made because the session ended (destroyed, expired, or no longer opening) after it was read', (s) => [[{}, s.droppedWrites]]],
  ['connect_redis_sealed.pool.worker_failures', '{operation}', 'Pooled operations whose worker threw, died or timed out, then redone inline', (s) => [[{}, s.workerFailures]]],
]

/** Every reason an open can fail, so each series exists at zero from the start (a dashboard has a line to plot). */
const FAILURE_REASONS = Object.keys({
  truncated: true,
  version: true,
  algorithm: true,
  key: true,
  flags: true,
  tag: true,
  'too-large': true,
  decompress: true,
  encoding: true,
  parse: true,
  expired: true,
  future: true,
  absolute: true,
  legacy: true,
  'legacy-ended': true,
  'legacy-busy': true,
  'created-after-sealed': true,
  'wrong-type': true,
} satisfies Record<SealErrorInfo['reason'], true>)

/** One store feeding a meter. */
interface Source {
  readonly group: string
  readonly attributes: MetricAttributes
  readonly stats: () => CountedStats
}

/** The instruments of one meter, shared by every store on it. */
interface Instruments {
  readonly openFailures: ReturnType<MeterLike['createCounter']>
  readonly sealDuration: ReturnType<MeterLike['createHistogram']>
  readonly openDuration: ReturnType<MeterLike['createHistogram']>
  readonly recordSize: ReturnType<MeterLike['createHistogram']>
  readonly sources: Set<Source>
  /** Final counts of closed stores, by series, so a store's close never makes a counter go down. */
  readonly retired: Map<string, Total>
}

interface Total {
  readonly attributes: MetricAttributes
  value: number
}

const byMeter = new WeakMap<MeterLike, Instruments>()

const seriesKey = (name: string, own: object, group: string): string => `${name}\u0000${JSON.stringify(own)}\u0000${group}`

function observeCounter(instruments: Instruments, name: string, read: Counted, sink: ObservationSink): void {
  const totals = new Map<string, Total>()
  for (const [key, retired] of instruments.retired) if (key.startsWith(`${name}\u0000`)) totals.set(key, { ...retired })
  for (const source of instruments.sources) addSeries(totals, name, source, read(source.stats()))
  for (const { attributes, value } of totals.values()) sink.observe(value, attributes)
}

function addSeries(totals: Map<string, Total>, name: string, source: Source, series: Series): void {
  for (const [own, value] of series) {
    const key = seriesKey(name, own, source.group)
    const total = totals.get(key)
    if (total) total.value += value
    else totals.set(key, { attributes: { ...source.attributes, ...own }, value })
  }
}

/** Pool gauges: stores in one attribute group usually share a pool, so the group reports the largest. */
function observeGauge(instruments: Instruments, read: (s: DispatchStats) => number, sink: ObservationSink): void {
  const groups = new Map<string, { attributes: MetricAttributes; value: number }>()
  for (const source of instruments.sources) {
    const value = read(source.stats())
    const entry = groups.get(source.group)
    if (!entry || value > entry.value) groups.set(source.group, { attributes: source.attributes, value })
  }
  for (const { attributes, value } of groups.values()) sink.observe(value, attributes)
}

function instrumentsOf(meter: MeterLike): Instruments {
  const known = byMeter.get(meter)
  if (known) return known
  const instruments: Instruments = {
    openFailures: meter.createCounter('connect_redis_sealed.open_failures', {
      unit: '{open}',
      description: 'Records that failed to open and were treated as no session, by reason',
    }),
    sealDuration: meter.createHistogram('connect_redis_sealed.seal.duration', { unit: 's', description: 'Time to seal one session (inline or on the pool)', advice: { explicitBucketBoundaries: SECONDS } }),
    openDuration: meter.createHistogram('connect_redis_sealed.open.duration', { unit: 's', description: 'Time to open one record (inline or on the pool)', advice: { explicitBucketBoundaries: SECONDS } }),
    recordSize: meter.createHistogram('connect_redis_sealed.record.size', { unit: 'By', description: 'Size of a sealed record as stored in Redis (operation: seal or open)', advice: { explicitBucketBoundaries: BYTES } }),
    sources: new Set(),
    retired: new Map(),
  }
  for (const [name, unit, description, read] of COUNTERS) {
    meter.createObservableCounter(name, { unit, description }).addCallback((sink) => observeCounter(instruments, name, read, sink))
  }
  const gauges = [
    [meter.createObservableUpDownCounter('connect_redis_sealed.pool.queue', { unit: '{task}', description: 'Pool tasks waiting for a worker' }), (s: DispatchStats) => s.queue],
    [meter.createObservableUpDownCounter('connect_redis_sealed.pool.threads', { unit: '{thread}', description: 'Worker threads alive' }), (s: DispatchStats) => s.threads],
    [meter.createObservableGauge('connect_redis_sealed.pool.utilization', { unit: '1', description: 'Share of the pool capacity in use, 0 to 1' }), (s: DispatchStats) => s.utilization],
  ] as const
  for (const [gauge, read] of gauges) gauge.addCallback((sink) => observeGauge(instruments, read, sink))
  byMeter.set(meter, instruments)
  return instruments
}

/** One store's link to its meter: histograms and failures as they happen, counters read from `stats()`. */
export class StoreMetrics {
  readonly #instruments: Instruments
  readonly #source: Source
  readonly #sealSize: MetricAttributes
  readonly #openSize: MetricAttributes

  constructor(settings: ResolvedMetrics, stats: () => CountedStats) {
    const { attributes } = settings
    this.#instruments = instrumentsOf(settings.meter)
    this.#source = { group: JSON.stringify(Object.entries(attributes).sort()), attributes, stats }
    this.#instruments.sources.add(this.#source)
    this.#sealSize = { ...attributes, operation: 'seal' }
    this.#openSize = { ...attributes, operation: 'open' }
    for (const reason of FAILURE_REASONS) this.#instruments.openFailures.add(0, { ...attributes, reason })
  }

  openFailed(reason: string): void {
    this.#instruments.openFailures.add(1, { ...this.#source.attributes, reason })
  }

  sealed(seconds: number, bytes: number): void {
    this.#instruments.sealDuration.record(seconds, this.#source.attributes)
    this.#instruments.recordSize.record(bytes, this.#sealSize)
  }

  opened(seconds: number, bytes: number): void {
    this.#instruments.openDuration.record(seconds, this.#source.attributes)
    this.#instruments.recordSize.record(bytes, this.#openSize)
  }

  /** Stops observing this store; its final counts stay in the totals. */
  close(): void {
    const { sources, retired } = this.#instruments
    if (!sources.delete(this.#source)) return
    const final = this.#source.stats()
    for (const [name, , , read] of COUNTERS) addSeries(retired, name, this.#source, read(final))
  }
}

/** Times seal and open of `inner` and records the stored size; everything else passes through. */
class MeasuredSealer implements Sealer {
  constructor(
    private readonly inner: Sealer,
    private readonly metrics: StoreMetrics,
  ) {}

  async seal(text: string, redisKey: string, times?: SealTimes): Promise<Buffer | string> {
    const started = performance.now()
    const sealed = await this.inner.seal(text, redisKey, times)
    this.metrics.sealed((performance.now() - started) / 1000, sealed.length)
    return sealed
  }

  async open(stored: Buffer, redisKey: string): Promise<OpenedText> {
    const started = performance.now()
    const opened = await this.inner.open(stored, redisKey)
    this.metrics.opened((performance.now() - started) / 1000, stored.length)
    return opened
  }

  stats(): DispatchStats {
    return this.inner.stats()
  }

  close(): Promise<void> {
    return this.inner.close()
  }
}

/** `sealer` itself without metrics, else a sealer that measures it. */
export function measured(sealer: Sealer, metrics: StoreMetrics | undefined): Sealer {
  return metrics ? new MeasuredSealer(sealer, metrics) : sealer
}
