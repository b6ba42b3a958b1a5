/** JSON data as the merge sees it: what `JSON.parse` returns. */
export type JsonObject = Record<string, unknown>

/** A plain JSON object (not an array, not null). */
export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Gives every JSON value a number such that two values are deep-equal (object keys in any order)
 * exactly when their numbers are equal. Each object or array is numbered once, from its
 * children's numbers (hash-consing), so comparing two subtrees costs O(1) after one O(size) pass,
 * and the pass is iterative: a hostile nesting depth cannot overflow the stack. One instance
 * serves one merge: it remembers the objects it has seen.
 */
export class JsonIds {
  readonly #containers = new Map<object, number>()
  readonly #bySignature = new Map<string, number>()
  readonly #scalars = new Map<unknown, number>()
  #next = 0

  /** The number of `value`. */
  of(value: unknown): number {
    if (typeof value !== 'object' || value === null) return this.#scalar(value)
    return this.#containers.get(value) ?? this.#number(value)
  }

  /** Deep equality of JSON data. */
  equal(a: unknown, b: unknown): boolean {
    if (a === b) return true
    if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false
    return Array.isArray(a) === Array.isArray(b) && this.of(a) === this.of(b)
  }

  #number(root: object): number {
    const pending: object[] = [root]
    const opened = new Set<object>()
    while (pending.length > 0) {
      const node = pending[pending.length - 1]!
      if (this.#containers.has(node)) {
        pending.pop()
        continue
      }
      if (!opened.has(node)) {
        opened.add(node)
        for (const child of Object.values(node)) {
          if (typeof child !== 'object' || child === null || this.#containers.has(child)) continue
          if (opened.has(child)) throw new TypeError('mergeThreeWay: the value is cyclic, not JSON data')
          pending.push(child)
        }
        continue
      }
      pending.pop()
      this.#containers.set(node, this.#intern(this.#signature(node)))
    }
    return this.#containers.get(root)!
  }

  #signature(node: object): string {
    if (Array.isArray(node)) {
      let signature = 'a'
      for (const child of node) signature += `${this.of(child)},`
      return signature
    }
    const object = node as JsonObject
    const keys = Object.keys(object).sort()
    let signature = 'o'
    for (const key of keys) signature += `${key.length}:${key}${this.of(object[key])},`
    return signature
  }

  #intern(signature: string): number {
    let id = this.#bySignature.get(signature)
    if (id === undefined) this.#bySignature.set(signature, (id = this.#next++))
    return id
  }

  #scalar(value: unknown): number {
    let id = this.#scalars.get(value)
    if (id === undefined) this.#scalars.set(value, (id = this.#next++))
    return id
  }
}
