/**
 * The changes of both sides of an array merge, grouped by the stretch of the base array they
 * touch, and what each side holds over such a stretch.
 */
import type { Hunk } from './sequence-diff.js'

/** One side's change: a diff hunk and whose it is. */
export interface SideHunk extends Hunk {
  readonly mine: boolean
}

/** Changes of both sides that touch one stretch of the base array. */
export interface Group {
  readonly start: number
  end: number
  readonly hunks: SideHunk[]
}

/**
 * Hunks joined where they overlap. Touching is not overlapping: an insertion at either edge of a
 * stretch the other side changed, or two changed stretches that only meet, stay apart, so a
 * deletion of the last item and another request's push both take effect.
 */
export function groupsOf(sorted: readonly SideHunk[]): Group[] {
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

/** The two sides, with their items' ids. */
export interface Sides {
  readonly mine: readonly unknown[]
  readonly theirs: readonly unknown[]
  readonly mineIds: Int32Array
  readonly theirsIds: Int32Array
}

/** Items and their ids. */
export interface Stretch {
  readonly values: unknown[]
  readonly ids: number[]
}

/** What one side holds where the base held `base[group.start, group.end)`. */
export function stretchOf(
  group: Group,
  mine: boolean,
  base: readonly unknown[],
  baseIds: Int32Array,
  sides: Sides,
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

/** What `mine` (or theirs) inserted in `group`, in order. */
export function insertedBy(group: Group, mine: boolean, sides: Sides): Stretch {
  const stretch: Stretch = { values: [], ids: [] }
  for (const hunk of group.hunks) {
    if (hunk.mine !== mine) continue
    for (let i = hunk.sideStart; i < hunk.sideEnd; i++) {
      stretch.values.push((mine ? sides.mine : sides.theirs)[i])
      stretch.ids.push((mine ? sides.mineIds : sides.theirsIds)[i]!)
    }
  }
  return stretch
}

/** The base items of `group` that neither side removed, by position. */
export function keptByBoth(group: Group): (position: number) => boolean {
  const removed = new Uint8Array(group.end - group.start)
  for (const hunk of group.hunks) removed.fill(1, hunk.baseStart - group.start, hunk.baseEnd - group.start)
  return (position) => removed[position - group.start] === 0
}

export function append(out: unknown[], from: readonly unknown[], start = 0, end = from.length): void {
  for (let i = start; i < end; i++) out.push(from[i])
}
