/** A real OpenTelemetry MeterProvider whose metrics land in memory, read back as plain points. */
import { AggregationTemporality, InMemoryMetricExporter, MeterProvider, PeriodicExportingMetricReader, type MetricData } from '@opentelemetry/sdk-metrics'

export interface Point {
  readonly attributes: Record<string, unknown>
  /** A sum's or gauge's value; for a histogram its count. */
  readonly value: number
  /** A histogram's sum. */
  readonly sum?: number
}

export interface TestMeters {
  readonly provider: MeterProvider
  /** Collects now and returns every instrument's points by name. */
  collect(): Promise<Map<string, { readonly metric: MetricData; readonly points: Point[] }>>
  shutdown(): Promise<void>
}

export function testMeters(): TestMeters {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE)
  // Exports only when asked (forceFlush): the interval is longer than any test.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 })
  const provider = new MeterProvider({ readers: [reader] })
  return {
    provider,
    async collect() {
      exporter.reset()
      await reader.forceFlush()
      const byName = new Map<string, { metric: MetricData; points: Point[] }>()
      for (const resource of exporter.getMetrics()) {
        for (const scope of resource.scopeMetrics) {
          for (const metric of scope.metrics) {
            const points = metric.dataPoints.map((p): Point => {
              const v = p.value as number | { count: number; sum?: number }
              return typeof v === 'number' ? { attributes: p.attributes, value: v } : { attributes: p.attributes, value: v.count, sum: v.sum ?? 0 }
            })
            byName.set(metric.descriptor.name, { metric, points })
          }
        }
      }
      return byName
    },
    shutdown: () => provider.shutdown(),
  }
}

/** The value of the point whose attributes include `match` (0 when there is none). */
export function valueOf(collected: Awaited<ReturnType<TestMeters['collect']>>, name: string, match: Record<string, unknown> = {}): number {
  const points = collected.get(name)?.points ?? []
  const found = points.filter((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v))
  return found.reduce((total, p) => total + p.value, 0)
}
