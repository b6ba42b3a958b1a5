/**
 * The example app's metrics: an OpenTelemetry MeterProvider whose reader is the Prometheus
 * exporter, served by the app's own `/metrics` route (no second port). The resource names the
 * service, so the scrape's `target_info` says which app it is (OTEL_SERVICE_NAME overrides it).
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus'
import { resourceFromAttributes } from '@opentelemetry/resources'
import { MeterProvider } from '@opentelemetry/sdk-metrics'

/** `service.name` when OTEL_SERVICE_NAME is not set. */
export const SERVICE_NAME = 'connect-redis-sealed-example'

export interface PrometheusMetrics {
  /** Give it to the store: `metrics: { meterProvider }`. */
  readonly meterProvider: MeterProvider
  /** Answers a scrape with every metric in Prometheus' text format. */
  handle(request: IncomingMessage, response: ServerResponse): void
  shutdown(): Promise<void>
}

export function prometheusMetrics(serviceName = process.env.OTEL_SERVICE_NAME || SERVICE_NAME): PrometheusMetrics {
  const exporter = new PrometheusExporter({ preventServerStart: true })
  const resource = resourceFromAttributes({ 'service.name': serviceName })
  const meterProvider = new MeterProvider({ resource, readers: [exporter] })
  return {
    meterProvider,
    handle: (request, response) => exporter.getMetricsRequestHandler(request, response),
    shutdown: () => meterProvider.shutdown(),
  }
}
