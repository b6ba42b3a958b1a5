/**
 * The example app's metrics: an OpenTelemetry MeterProvider whose reader is the Prometheus
 * exporter, served by the app's own `/metrics` route (no second port).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { MeterProvider } from '@opentelemetry/sdk-metrics'

export interface PrometheusMetrics {
  /** Give it to the store: `metrics: { meterProvider }`. */
  readonly meterProvider: MeterProvider
  /** Answers a scrape with every metric in Prometheus' text format. */
  handle(request: IncomingMessage, response: ServerResponse): void
  shutdown(): Promise<void>
}

export function prometheusMetrics(): PrometheusMetrics {
  const exporter = new PrometheusExporter({ preventServerStart: true })
  const meterProvider = new MeterProvider({ readers: [exporter] })
  return {
    meterProvider,
    handle: (request, response) => exporter.getMetricsRequestHandler(request, response),
    shutdown: () => meterProvider.shutdown(),
  }
}
