/** Where, along a size sweep, the pool's main-thread time per op drops below inline. */

export interface Crossover {
  op: 'set' | 'get'
  /** The smallest swept size from which pooled main-thread time stays below inline; null if none. */
  firstSize: number | null
  /**
   * The size where pooled/inline crosses 1, interpolated linearly in log2(size) between the
   * two swept sizes around it; null when it never crosses within the sweep.
   */
  estimate: number | null
  /** pooled / inline main-thread time at each swept size. */
  ratios: { size: number; ratio: number }[]
}

interface SweepPoint {
  size: number
  op: 'set' | 'get'
  inline: { main: number }
  pooled: { main: number }
}

export function crossover(rows: readonly SweepPoint[]): Crossover[] {
  return (['set', 'get'] as const).map((op) => {
    const ratios = rows
      .filter((r) => r.op === op)
      .sort((a, b) => a.size - b.size)
      .map((r) => ({ size: r.size, ratio: r.pooled.main / r.inline.main }))
    let first = ratios.length
    while (first > 0 && (ratios[first - 1] as { ratio: number }).ratio < 1) first--
    if (first === ratios.length) return { op, firstSize: null, estimate: null, ratios }
    const at = ratios[first] as { size: number; ratio: number }
    const before = ratios[first - 1]
    let estimate = at.size
    if (before) {
      const x0 = Math.log2(before.size)
      const x1 = Math.log2(at.size)
      const x = x0 + ((before.ratio - 1) / (before.ratio - at.ratio)) * (x1 - x0)
      estimate = Math.round(2 ** x)
    }
    return { op, firstSize: at.size, estimate, ratios }
  })
}
