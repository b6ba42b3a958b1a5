/**
 * A separate process that pings a server's /health at a fixed rate and reports the latency
 * p99, so the load generator's own event loop does not skew the figure. Driven over IPC:
 * { url, seconds } in, { p99, count, failures } out.
 */
import autocannon from 'autocannon'

export interface PingRequest {
  url: string
  seconds: number
  rate: number
}
export interface PingReply {
  p99: number
  count: number
  failures: number
}

process.on('message', (message: PingRequest) => {
  const run = autocannon({ url: message.url, connections: 2, overallRate: message.rate, duration: message.seconds, timeout: 30 })
  Promise.resolve(run).then(
    (r) => process.send?.({ p99: r.latency.p99, count: r.requests.total, failures: r.non2xx + r.errors + r.timeouts } satisfies PingReply),
    () => process.send?.({ p99: Number.NaN, count: 0, failures: 1 } satisfies PingReply),
  )
})
process.on('disconnect', () => process.exit(0))
