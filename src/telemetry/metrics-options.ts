import { createRequire } from 'node:module'
import { SealedOptionsError } from '../errors.js'
import { describe, onlyKnown, plainObject } from '../options/checks.js'

/** Attributes added to every measurement of one store, e.g. `{ store: 'admin' }`. */
export type MetricAttributes = Readonly<Record<string, string | number | boolean>>

/** What the store needs of an instrument's options (a subset of OpenTelemetry's `MetricOptions`). */
export interface InstrumentOptions {
  description?: string
  unit?: string
  advice?: { explicitBucketBoundaries?: number[] }
}

/** A callback's result of an observable instrument. */
export interface ObservationSink {
  observe(value: number, attributes?: MetricAttributes): void
}

export interface ObservableLike {
  addCallback(callback: (result: ObservationSink) => void): void
  removeCallback(callback: (result: ObservationSink) => void): void
}

/**
 * The parts of an OpenTelemetry `Meter` (from `@opentelemetry/api` 1.3 or later) that the store
 * uses. Declared here so that the package's types do not need `@opentelemetry/api` installed.
 */
export interface MeterLike {
  createCounter(name: string, options?: InstrumentOptions): { add(value: number, attributes?: MetricAttributes): void }
  createHistogram(name: string, options?: InstrumentOptions): { record(value: number, attributes?: MetricAttributes): void }
  createObservableCounter(name: string, options?: InstrumentOptions): ObservableLike
  createObservableUpDownCounter(name: string, options?: InstrumentOptions): ObservableLike
  createObservableGauge(name: string, options?: InstrumentOptions): ObservableLike
}

/** An OpenTelemetry `MeterProvider`, e.g. the SDK's `MeterProvider` or the API's global one. */
export interface MeterProviderLike {
  getMeter(name: string, version?: string): MeterLike
}

/** The `metrics` option in its object form. */
export interface MetricsOptions {
  /** Meter to create the instruments on. Default: `meterProvider.getMeter('connect-redis-sealed')`. */
  meter?: MeterLike
  /** Provider to get the meter from. Default: the global one of `@opentelemetry/api` (`metrics.getMeterProvider()`). */
  meterProvider?: MeterProviderLike
  /** Attributes added to every measurement of this store, to tell several stores apart. Default none. */
  attributes?: MetricAttributes
}

export interface ResolvedMetrics {
  readonly meter: MeterLike
  readonly attributes: MetricAttributes
}

export const METER_NAME = 'connect-redis-sealed'
const API = '@opentelemetry/api'

/** The global meter provider, loading `@opentelemetry/api` only now (it is an optional peer dependency). */
function globalMeterProvider(): MeterProviderLike {
  let api: { metrics: { getMeterProvider(): MeterProviderLike } }
  try {
    api = createRequire(import.meta.url)(API) as typeof api
  } catch {
    throw new SealedOptionsError('metrics', `needs the ${API} package (npm install ${API}), or a "meter" or "meterProvider" of your own`)
  }
  return api.metrics.getMeterProvider()
}

function hasMethods(value: unknown, names: readonly string[]): boolean {
  return typeof value === 'object' && value !== null && names.every((n) => typeof (value as Record<string, unknown>)[n] === 'function')
}

function resolveAttributes(value: unknown): MetricAttributes {
  if (value === undefined) return {}
  const attributes = plainObject('metrics.attributes', value)
  for (const [name, v] of Object.entries(attributes)) {
    if (!['string', 'number', 'boolean'].includes(typeof v)) throw new SealedOptionsError(`metrics.attributes.${name}`, `must be a string, number or boolean (got ${describe(v)})`)
  }
  return { ...(attributes as MetricAttributes) }
}

/** Checks the `metrics` option; `undefined` when metrics are off. */
export function resolveMetrics(value: unknown): ResolvedMetrics | undefined {
  if (value === undefined || value === false) return undefined
  const o = value === true ? {} : plainObject('metrics', value)
  onlyKnown('metrics', o, ['meter', 'meterProvider', 'attributes'])
  if (o.meter !== undefined && !hasMethods(o.meter, ['createCounter', 'createHistogram', 'createObservableGauge'])) {
    throw new SealedOptionsError('metrics.meter', 'must be an OpenTelemetry Meter')
  }
  if (o.meterProvider !== undefined && !hasMethods(o.meterProvider, ['getMeter'])) {
    throw new SealedOptionsError('metrics.meterProvider', 'must be an OpenTelemetry MeterProvider')
  }
  const attributes = resolveAttributes(o.attributes)
  const meter = (o.meter as MeterLike | undefined) ?? ((o.meterProvider as MeterProviderLike | undefined) ?? globalMeterProvider()).getMeter(METER_NAME)
  return { meter, attributes }
}
