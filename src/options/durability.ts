import { SealedOptionsError } from '../errors.js'
import { integer, onlyKnown, plainObject, flag, timerMs } from './checks.js'

/**
 * Makes revocations (and optionally every write) wait until replicas hold them, with Redis `WAIT`
 * on the store's own duplicate connection(s), so a failover cannot bring a destroyed session back.
 * See docs/SCALING.md, "Durable revocation".
 */
export interface DurabilityOptions {
  /** Replicas that must acknowledge each revocation before it reports success. Required, at least 1. */
  replicas: number
  /** Milliseconds `WAIT` may take; past it the operation fails with `ERR_SEALED_NOT_DURABLE`. Required, at least 1. */
  timeout: number
  /** Make `set`, `touch` and the deletion of an expired session wait as well. Default `false` (only `destroy` and `destroySessionsOf`). */
  writes?: boolean
}

export interface ResolvedDurability {
  readonly replicas: number
  readonly timeout: number
  readonly writes: boolean
}

/** `undefined` (off) or the checked option; every TypeError names the field. */
export function resolveDurability(value: unknown, name: string): ResolvedDurability | undefined {
  if (value === undefined || value === false) return undefined
  const o = plainObject(name, value)
  onlyKnown(name, o, ['replicas', 'timeout', 'writes'])
  const required = (field: string, check: typeof integer = integer) => {
    if (o[field] === undefined) throw new SealedOptionsError(`${name}.${field}`, 'is required')
    return check(`${name}.${field}`, o[field], 1, 1)
  }
  return { replicas: required('replicas'), timeout: required('timeout', timerMs), writes: flag(`${name}.writes`, o.writes) }
}
