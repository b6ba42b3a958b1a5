import type { CompressionSettings, Encoding, SealTimes } from '../codec/seal.js'

export interface SealTask {
  readonly op: 'seal'
  readonly ring: number
  readonly text: string
  readonly key: string
  readonly scheme: number
  readonly encoding: Encoding
  readonly compression: CompressionSettings | undefined
  readonly times: SealTimes | undefined
}

export interface OpenTask {
  readonly op: 'open'
  readonly ring: number
  /** The stored value, in an ArrayBuffer of its own that was transferred, not copied. */
  readonly stored: Uint8Array
  readonly key: string
  readonly maxBytes: number
}

export type Task = SealTask | OpenTask

/** What a worker gets once, at start-up. */
export interface SealWorkerData {
  readonly registry: SharedArrayBuffer
}
