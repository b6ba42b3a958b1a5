import { mergeArrays } from './array-merge.js'
import { isJsonObject, JsonIds, type JsonObject } from './json-ids.js'

/** The result of {@link mergeThreeWay}. */
export interface MergeOutcome {
  /** The merged value (JSON data: plain objects, arrays, strings, numbers, booleans, null). */
  readonly value: unknown
  /** Places where both sides changed the same path (or the same stretch of an array) differently; `mine` won there. */
  readonly conflicts: number
}

/**
 * Nesting depth (objects and arrays) down to which the merge descends. Below it a value is
 * merged whole: taken from the side that changed it, or `mine` with a conflict when both did.
 * It bounds the recursion against hostile data; sessions are rarely deeper than a few levels.
 */
export const MAX_MERGE_DEPTH = 64

/** A key that one version does not hold. */
const ABSENT: unique symbol = Symbol('absent')

/**
 * Three-way merge of JSON data: `base` is what this request read, `mine` what it writes, `theirs`
 * what Redis holds now. A change of one side (a key added, changed or deleted; array items
 * added, inserted or removed) takes effect; a change both sides made alike is taken once; where
 * both changed one path (or one stretch of an array) differently, `mine` wins there and a
 * conflict is counted. Plain objects merge key by key, arrays as sequences (see
 * `mergeArrays`), anything else is replaced whole. A key both sides added as objects (or both
 * as arrays) merges against an empty one. Keys such as `__proto__` are merged as own data
 * properties. The result shares unchanged parts with the inputs; the inputs are not modified.
 * Inputs must be JSON data (what `JSON.parse` returns): a cycle met while comparing throws a
 * `TypeError`.
 */
export function mergeThreeWay(base: unknown, mine: unknown, theirs: unknown): MergeOutcome {
  const ids = new JsonIds()
  let conflicts = 0
  const countConflict = (): void => {
    conflicts++
  }
  // Containers of one kind on all three sides are merged part by part, which gives the same
  // result as comparing them whole first (an unchanged side yields the other one), without
  // numbering the whole tree; below them, the comparisons below number only what they compare.
  const merge = (b: unknown, m: unknown, t: unknown, depth: number): unknown => {
    if (depth < MAX_MERGE_DEPTH) {
      const kind = sameContainerKind(m, t)
      const from = b === ABSENT ? emptyOf(kind) : b
      if (kind === 'object' && isJsonObject(from)) {
        return mergeObjects(from, m as JsonObject, t as JsonObject, (cb, cm, ct) => merge(cb, cm, ct, depth + 1))
      }
      if (kind === 'array' && Array.isArray(from)) {
        return mergeArrays(from, m as unknown[], t as unknown[], { ids, countConflict, mergeChild: (cb, cm, ct) => merge(cb, cm, ct, depth + 1) })
      }
    }
    if (ids.equal(m, t)) return m
    if (ids.equal(m, b)) return t
    if (ids.equal(t, b)) return m
    countConflict()
    return m
  }
  const value = merge(base === undefined ? ABSENT : base, mine, theirs, 0)
  return { value: value === ABSENT ? undefined : value, conflicts }
}

function mergeObjects(base: JsonObject, mine: JsonObject, theirs: JsonObject, mergeChild: (b: unknown, m: unknown, t: unknown) => unknown): JsonObject {
  const out: JsonObject = {}
  const valueAt = (object: JsonObject, key: string): unknown => (Object.hasOwn(object, key) ? object[key] : ABSENT)
  const keys = new Set([...Object.keys(mine), ...Object.keys(theirs)])
  for (const key of keys) {
    const value = mergeChild(valueAt(base, key), valueAt(mine, key), valueAt(theirs, key))
    if (value === ABSENT) continue
    // Assigning `__proto__` would set the prototype; every other key is an ordinary own property.
    if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
    else out[key] = value
  }
  return out
}

function sameContainerKind(mine: unknown, theirs: unknown): 'object' | 'array' | undefined {
  if (Array.isArray(mine)) return Array.isArray(theirs) ? 'array' : undefined
  return isJsonObject(mine) && isJsonObject(theirs) ? 'object' : undefined
}

function emptyOf(kind: 'object' | 'array' | undefined): unknown {
  return kind === 'array' ? [] : kind === 'object' ? {} : ABSENT
}
