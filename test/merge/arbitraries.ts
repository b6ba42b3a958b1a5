/**
 * fast-check arbitraries for the merge tests: small JSON trees over a few keys (hostile ones
 * included) and values, so that the two sides often touch the same paths, and edits that derive
 * `mine` and `theirs` from `base`.
 */
import fc from 'fast-check'

/** JSON data as `JSON.parse` builds it (plain prototypes, own `__proto__` keys). */
export const asJson = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T

export const keyArb = fc.constantFrom('a', 'b', 'c', 'cart', '__proto__', 'constructor')
export const scalarArb = fc.constantFrom<unknown>(0, 1, 2, 'x', 'y', '', true, false, null)

const { tree } = fc.letrec<{ tree: unknown }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarArb,
    fc.dictionary(keyArb, tie('tree'), { maxKeys: 4 }),
    fc.array(tie('tree'), { maxLength: 5 }),
  ),
}))

/** Any small JSON value. */
export const jsonArb: fc.Arbitrary<unknown> = tree.map(asJson)
/** A small JSON object (a session). */
export const sessionArb: fc.Arbitrary<Record<string, unknown>> = fc.dictionary(keyArb, tree, { maxKeys: 5 }).map(asJson)

/** One change somewhere in a tree: `path` picks a child at each level (modulo the count). */
export interface Edit {
  readonly path: readonly number[]
  readonly action: 'set' | 'delete' | 'insert' | 'add'
  readonly key: string
  readonly value: unknown
}

export const editArb: fc.Arbitrary<Edit> = fc.record({
  path: fc.array(fc.nat(7), { maxLength: 4 }),
  action: fc.constantFrom<Edit['action']>('set', 'delete', 'insert', 'add'),
  key: keyArb,
  value: jsonArb,
})

/** `value` with the edits applied, as a new tree (the input is not changed). */
export function applyEdits(value: unknown, edits: readonly Edit[]): unknown {
  let out = asJson(value)
  for (const edit of edits) out = applyEdit(out, edit, 0)
  return out
}

function applyEdit(node: unknown, edit: Edit, level: number): unknown {
  if (typeof node !== 'object' || node === null) return edit.action === 'set' ? asJson(edit.value) : node
  const children: Array<string | number> = Array.isArray(node) ? node.map((_, i) => i) : Object.keys(node)
  const step = edit.path[level]
  if (step === undefined || children.length === 0) {
    if (Array.isArray(node)) node.splice(edit.path.length % (node.length + 1), 0, asJson(edit.value))
    else Object.defineProperty(node, edit.key, { value: asJson(edit.value), enumerable: true, writable: true, configurable: true })
    return node
  }
  const child = children[step % children.length]!
  const holder = node as Record<string | number, unknown>
  const last = level === edit.path.length - 1
  if (last && edit.action === 'delete') {
    if (Array.isArray(node)) node.splice(child as number, 1)
    else delete holder[child]
  } else if (last && edit.action === 'insert' && Array.isArray(node)) {
    node.splice(child as number, 0, asJson(edit.value))
  } else if (last && edit.action === 'set') {
    Object.defineProperty(node, child, { value: asJson(edit.value), enumerable: true, writable: true, configurable: true })
  } else {
    Object.defineProperty(node, child, { value: applyEdit(holder[child], edit, level + 1), enumerable: true, writable: true, configurable: true })
  }
  return node
}

/** A base array of distinct items, and one side's version: some removed, new distinct items (tagged) inserted. */
export function sideOf(base: readonly number[], keep: readonly boolean[], inserts: ReadonlyArray<readonly [number, number]>, tag: string): unknown[] {
  const out: unknown[] = base.filter((_, i) => keep[i % Math.max(keep.length, 1)] ?? true)
  for (const [at, n] of inserts) out.splice(at % (out.length + 1), 0, `${tag}${n}`)
  return out
}
