/**
 * One change between two sequences: `base[baseStart, baseEnd)` became `side[sideStart, sideEnd)`.
 * An empty base range is an insertion before `base[baseStart]`.
 */
export interface Hunk {
  readonly baseStart: number
  readonly baseEnd: number
  readonly sideStart: number
  readonly sideEnd: number
}

/**
 * The most edits Myers' search explores before it gives up and reports the rest (after the common
 * head and tail) as one changed stretch. Its trace takes (edits + 1)² × 4 bytes: at most 4 MiB.
 */
export const MAX_DIFF_EDITS = 1024

/**
 * The changes that turn `base` into `side`, elements compared with `===` (the merge passes
 * interned ids). Ascending, and any two hunks are separated by at least one common element.
 * Myers' O((N+M)·D) algorithm after trimming the common head and tail.
 */
export function diffSequences(base: ArrayLike<number>, side: ArrayLike<number>, maxEdits = MAX_DIFF_EDITS): Hunk[] {
  let head = 0
  const shorter = Math.min(base.length, side.length)
  while (head < shorter && base[head] === side[head]) head++
  let tail = 0
  while (tail < shorter - head && base[base.length - 1 - tail] === side[side.length - 1 - tail]) tail++
  const baseEnd = base.length - tail
  const sideEnd = side.length - tail
  if (head === baseEnd && head === sideEnd) return []
  const whole: Hunk = { baseStart: head, baseEnd, sideStart: head, sideEnd }
  if (head === baseEnd || head === sideEnd) return [whole]
  const matches = myersMatches(base, side, head, baseEnd - head, sideEnd - head, maxEdits)
  return matches === null ? [whole] : hunksBetween(matches, head, baseEnd, sideEnd)
}

/**
 * The matched pairs of a shortest edit script of `base[offset, offset+n)` and
 * `side[offset, offset+m)`, relative to `offset`, in descending order (x, y, x, y, …), or null
 * past `maxEdits`.
 */
function myersMatches(base: ArrayLike<number>, side: ArrayLike<number>, offset: number, n: number, m: number, maxEdits: number): number[] | null {
  const max = Math.min(n + m, maxEdits)
  const mid = max + 1
  const v = new Int32Array(2 * max + 3)
  const trace: Int32Array[] = []
  for (let d = 0; d <= max; d++) {
    for (let k = -d; k <= d; k += 2) {
      const down = k === -d || (k !== d && v[mid + k - 1]! < v[mid + k + 1]!)
      let x = down ? v[mid + k + 1]! : v[mid + k - 1]! + 1
      let y = x - k
      while (x < n && y < m && base[offset + x] === side[offset + y]) {
        x++
        y++
      }
      v[mid + k] = x
      if (x >= n && y >= m) {
        trace.push(v.slice(mid - d, mid + d + 1))
        return backtrack(trace, n, m)
      }
    }
    trace.push(v.slice(mid - d, mid + d + 1))
  }
  return null
}

/** Walks the trace back from (n, m) and collects the diagonal (matching) steps. */
function backtrack(trace: readonly Int32Array[], n: number, m: number): number[] {
  const matches: number[] = []
  let x = n
  let y = m
  for (let d = trace.length - 1; d > 0; d--) {
    const previous = trace[d - 1]!
    const at = (k: number): number => previous[k + d - 1]!
    const k = x - y
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1))
    const previousK = down ? k + 1 : k - 1
    const previousX = at(previousK)
    const snakeStart = down ? previousX : previousX + 1
    while (x > snakeStart) {
      x--
      y--
      matches.push(x, y)
    }
    x = previousX
    y = previousX - previousK
  }
  while (x > 0 && y > 0) {
    x--
    y--
    matches.push(x, y)
  }
  return matches
}

/** The gaps between matched pairs, as hunks over the whole sequences. */
function hunksBetween(matches: readonly number[], offset: number, baseEnd: number, sideEnd: number): Hunk[] {
  const hunks: Hunk[] = []
  let b = offset
  let s = offset
  for (let i = matches.length - 2; i >= 0; i -= 2) {
    const mb = matches[i]! + offset
    const ms = matches[i + 1]! + offset
    if (mb > b || ms > s) hunks.push({ baseStart: b, baseEnd: mb, sideStart: s, sideEnd: ms })
    b = mb + 1
    s = ms + 1
  }
  if (b < baseEnd || s < sideEnd) hunks.push({ baseStart: b, baseEnd, sideStart: s, sideEnd })
  return hunks
}
