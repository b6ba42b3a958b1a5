/** Session ids for the cluster suites. */

/** `count` session ids that differ enough to land in many hash slots (and so on every master). */
export function manySids(count: number, tag: string): string[] {
  return Array.from({ length: count }, (_, i) => `${tag}-${i.toString(36)}-${(i * 2654435761) % 1_000_003}`)
}
