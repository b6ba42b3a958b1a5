import type { JsonIds } from './json-ids.js'
import { diffSequences } from './sequence-diff.js'
import { append, groupsOf, insertedBy, keptByBoth, stretchOf, type Group, type SideHunk, type Sides, type Stretch } from './array-groups.js'

/** What the array merge borrows from the whole merge. */
export interface ArrayMergeContext {
  /** Numbers elements by value. */
  readonly ids: JsonIds
  /** Merges three elements one level deeper (counting its own conflicts). */
  readonly mergeChild: (base: unknown, mine: unknown, theirs: unknown) => unknown
  /** Counts one conflict. */
  readonly countConflict: () => void
}

/**
 * Three-way merge of arrays as sequences, like a text merge of lines: elements are compared by
 * value (numbered by `JsonIds`), each side's changes against the base are
 * found by a diff, and changes to different stretches all take effect. Insertions of both sides
 * at one place keep both (theirs first; an item both inserted appears once). Removals of both
 * sides all take effect, also where they overlap, and so do the insertions of one side among
 * the other side's removals. Where both inserted different items into one changed stretch,
 * stretches of equal length holding objects (or arrays) merge element by element; at the end of
 * the array both sides' items are kept (see `pushedAtTheEnd`); otherwise this request's stretch
 * wins and one conflict is counted.
 */
export function mergeArrays(
  base: readonly unknown[],
  mine: readonly unknown[],
  theirs: readonly unknown[],
  { ids, mergeChild, countConflict }: ArrayMergeContext,
): unknown[] {
  const idsOf = (values: readonly unknown[]): Int32Array => Int32Array.from(values, (value) => ids.of(value))
  const baseIds = idsOf(base)
  const mineIds = idsOf(mine)
  const theirsIds = idsOf(theirs)
  const sides: Sides = { mine, theirs, mineIds, theirsIds }
  const hunks: SideHunk[] = [
    ...diffSequences(baseIds, mineIds).map((h) => ({ ...h, mine: true })),
    ...diffSequences(baseIds, theirsIds).map((h) => ({ ...h, mine: false })),
  ].sort((a, b) => a.baseStart - b.baseStart || a.baseEnd - b.baseEnd || Number(a.mine) - Number(b.mine))

  const out: unknown[] = []
  let position = 0
  for (const group of groupsOf(hunks)) {
    append(out, base, position, group.start)
    const mineStretch = stretchOf(group, true, base, baseIds, sides)
    const theirsStretch = stretchOf(group, false, base, baseIds, sides)
    if (!group.hunks.some((h) => h.mine)) append(out, theirsStretch.values)
    else if (!group.hunks.some((h) => !h.mine)) append(out, mineStretch.values)
    else if (group.start === group.end) append(out, union(theirsStretch, mineStretch))
    else if (sameIds(mineStretch.ids, theirsStretch.ids)) append(out, mineStretch.values)
    else if (!inserts(group, true) || !inserts(group, false)) append(out, composed(base, group, sides))
    else if (alignedContainers(base, group, mineStretch.values, theirsStretch.values)) {
      for (let i = 0; i < mineStretch.values.length; i++) out.push(mergeChild(base[group.start + i], mineStretch.values[i], theirsStretch.values[i]))
    } else if (group.end === base.length) {
      append(out, pushedAtTheEnd(base, group, sides))
    } else {
      countConflict()
      append(out, mineStretch.values)
    }
    position = group.end
  }
  append(out, base, position, base.length)
  return out
}

const inserts = (group: Group, mine: boolean): boolean => group.hunks.some((h) => h.mine === mine && h.sideEnd > h.sideStart)

/**
 * Where at most one side inserted items: the base items neither side removed, and that side's
 * insertions where it made them. A removal of both sides is one removal; an array merge cannot
 * tell an item one side replaced from one it removed while adding another, so the added items
 * are kept rather than lost.
 */
function composed(base: readonly unknown[], group: Group, sides: Sides): unknown[] {
  const kept = keptByBoth(group)
  const out: unknown[] = []
  let position = group.start
  const keepUntil = (end: number): void => {
    for (; position < end; position++) if (kept(position)) out.push(base[position])
  }
  for (const hunk of group.hunks) {
    keepUntil(hunk.baseStart)
    append(out, hunk.mine ? sides.mine : sides.theirs, hunk.sideStart, hunk.sideEnd)
  }
  keepUntil(group.end)
  return out
}

/**
 * Both sides replaced the last items differently: at the end of an array that is (nearly always)
 * items removed and others pushed, as in a cart, so both removals and both sides' pushes take
 * effect (theirs first; an item both pushed appears once).
 */
function pushedAtTheEnd(base: readonly unknown[], group: Group, sides: Sides): unknown[] {
  const kept = keptByBoth(group)
  const out: unknown[] = []
  for (let position = group.start; position < group.end; position++) if (kept(position)) out.push(base[position])
  append(out, union(insertedBy(group, false, sides), insertedBy(group, true, sides)))
  return out
}

/** Both insertions at one place: common items once, and at each difference theirs before mine. */
function union(theirs: Stretch, mine: Stretch): unknown[] {
  const out: unknown[] = []
  let position = 0
  for (const hunk of diffSequences(theirs.ids, mine.ids)) {
    append(out, theirs.values, position, hunk.baseEnd)
    append(out, mine.values, hunk.sideStart, hunk.sideEnd)
    position = hunk.baseEnd
  }
  append(out, theirs.values, position, theirs.values.length)
  return out
}

/** Equal-length stretches whose elements are, position by position, all objects or all arrays. */
function alignedContainers(base: readonly unknown[], group: Group, mine: readonly unknown[], theirs: readonly unknown[]): boolean {
  if (mine.length !== group.end - group.start || theirs.length !== mine.length) return false
  for (let i = 0; i < mine.length; i++) {
    const kinds = [base[group.start + i], mine[i], theirs[i]].map(containerKind)
    if (kinds[0] === 'none' || kinds[0] !== kinds[1] || kinds[0] !== kinds[2]) return false
  }
  return true
}

function containerKind(value: unknown): 'array' | 'object' | 'none' {
  if (Array.isArray(value)) return 'array'
  return typeof value === 'object' && value !== null ? 'object' : 'none'
}

function sameIds(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((id, i) => id === b[i])
}

