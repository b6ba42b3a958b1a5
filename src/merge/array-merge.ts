import type { JsonIds } from './json-ids.js'
import { diffSequences, type Hunk } from './sequence-diff.js'

/** What the array merge borrows from the whole merge. */
export interface ArrayMergeContext {
  /** Numbers elements by value. */
  readonly ids: JsonIds
  /** Merges three elements one level deeper (counting its own conflicts). */
  readonly mergeChild: (base: unknown, mine: unknown, theirs: unknown) => unknown
  /** Counts one conflict. */
  readonly countConflict: () => void
}

interface SideHunk extends Hunk {
  readonly mine: boolean
}

/** Changes of both sides that touch one stretch of the base array. */
interface Group {
  readonly start: number
  end: number
  readonly hunks: SideHunk[]
}

/**
 * Three-way merge of arrays as sequences, like a text merge of lines: elements are compared by
 * value (numbered by `JsonIds`), each side's changes against the base are
 * found by a diff, and changes to different stretches all take effect. Insertions of both sides
 * at one place keep both (theirs first; an item both inserted appears once). Removals of both
 * sides all take effect, also where they overlap. Where both changed one stretch differently
 * otherwise, stretches of equal length holding objects (or arrays) merge element
 * by element; otherwise this request's stretch wins and one conflict is counted.
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
  const sides = { mine, theirs, mineIds, theirsIds }
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
    else if (group.hunks.every((h) => h.sideStart === h.sideEnd)) append(out, keptByBoth(base, group))
    else if (alignedContainers(base, group, mineStretch.values, theirsStretch.values)) {
      for (let i = 0; i < mineStretch.values.length; i++) out.push(mergeChild(base[group.start + i], mineStretch.values[i], theirsStretch.values[i]))
    } else {
      countConflict()
      append(out, mineStretch.values)
    }
    position = group.end
  }
  append(out, base, position, base.length)
  return out
}

/**
 * Hunks joined where they overlap. Touching is not overlapping: an insertion at either edge of a
 * stretch the other side changed, or two changed stretches that only meet, stay apart, so a
 * deletion of the last item and another request's push both take effect.
 */
function groupsOf(sorted: readonly SideHunk[]): Group[] {
  const groups: Group[] = []
  for (const hunk of sorted) {
    const group = groups.at(-1)
    if (group !== undefined && overlaps(group, hunk)) {
      group.hunks.push(hunk)
      group.end = Math.max(group.end, hunk.baseEnd)
    } else {
      groups.push({ start: hunk.baseStart, end: hunk.baseEnd, hunks: [hunk] })
    }
  }
  return groups
}

function overlaps(group: Group, hunk: SideHunk): boolean {
  if (group.start === group.end) return hunk.baseStart === group.start && hunk.baseEnd === group.start
  if (hunk.baseStart === hunk.baseEnd) return group.start < hunk.baseStart && hunk.baseStart < group.end
  return hunk.baseStart < group.end
}

interface Stretch {
  readonly values: unknown[]
  readonly ids: number[]
}

/** What one side holds where the base held `base[group.start, group.end)`. */
function stretchOf(
  group: Group,
  mine: boolean,
  base: readonly unknown[],
  baseIds: Int32Array,
  sides: { mine: readonly unknown[]; theirs: readonly unknown[]; mineIds: Int32Array; theirsIds: Int32Array },
): Stretch {
  const side = mine ? sides.mine : sides.theirs
  const sideIds = mine ? sides.mineIds : sides.theirsIds
  const values: unknown[] = []
  const ids: number[] = []
  const take = (from: readonly unknown[], fromIds: ArrayLike<number>, start: number, end: number): void => {
    for (let i = start; i < end; i++) {
      values.push(from[i])
      ids.push(fromIds[i]!)
    }
  }
  let position = group.start
  for (const hunk of group.hunks) {
    if (hunk.mine !== mine) continue
    take(base, baseIds, position, hunk.baseStart)
    take(side, sideIds, hunk.sideStart, hunk.sideEnd)
    position = hunk.baseEnd
  }
  take(base, baseIds, position, group.end)
  return { values, ids }
}

/** Where both sides only removed items: what neither removed. */
function keptByBoth(base: readonly unknown[], group: Group): unknown[] {
  const removed = new Uint8Array(group.end - group.start)
  for (const hunk of group.hunks) removed.fill(1, hunk.baseStart - group.start, hunk.baseEnd - group.start)
  return base.slice(group.start, group.end).filter((_, i) => removed[i] === 0)
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

function append(out: unknown[], from: readonly unknown[], start = 0, end = from.length): void {
  for (let i = start; i < end; i++) out.push(from[i])
}
