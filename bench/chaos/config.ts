/** What the soak tells each app process: the topology's addresses and the configurations to serve. */
import type { ClientName, Topology } from '../../test/support/topology-clients.js'

export interface AppConfig {
  readonly client: ClientName
  readonly durable: boolean
}

export interface AppSetup {
  readonly topology: Topology
  readonly cluster?: { host: string; port: number }[]
  readonly sentinel?: { name: string; sentinels: { host: string; port: number }[] }
  readonly configs: readonly AppConfig[]
  /** The store's `timeout` (ms). */
  readonly timeout: number
  /** `durability.timeout` (ms) of the durable configurations. */
  readonly waitMs: number
}

export function configLabel(config: AppConfig): string {
  return `${config.client}, durability ${config.durable ? 'on' : 'off'}`
}
