/**
 * Session shapes for the pool matrix, each grown to a target size of UTF-8 JSON, deterministic:
 * many small objects (a cart and a browsing history), a few long ASCII strings, and text with
 * non-Latin-1 characters (a two-byte string in V8, two or three bytes per character in UTF-8).
 */
import { makeSession, type BenchSession } from './session-data.js'

export const SHAPES = ['objects', 'strings', 'unicode'] as const
export type Shape = (typeof SHAPES)[number]

export const SHAPE_LABELS: Record<Shape, string> = {
  objects: 'many small objects',
  strings: 'a few long strings',
  unicode: 'non-Latin-1 text',
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const UNICODE = 'данные東京データΕλλάδαŁódź🙂한국어'

function filler(chars: string, bytes: number, seed: number): string {
  const out: string[] = []
  let size = 0
  let a = seed >>> 0
  while (size < bytes) {
    a = (Math.imul(a, 1103515245) + 12345) >>> 0
    const c = [...chars][a % [...chars].length] as string
    out.push(c)
    size += Buffer.byteLength(c, 'utf8')
  }
  return out.join('')
}

function base(): BenchSession {
  const s = makeSession(0)
  return { cookie: s.cookie, views: 0, user: s.user }
}

/** A session of `shape` whose JSON is about `bytes` bytes of UTF-8. */
export function makeShapedSession(shape: Shape, bytes: number): BenchSession {
  if (shape === 'objects') return makeSession(bytes)
  const session = base()
  const room = Math.max(0, bytes - Buffer.byteLength(JSON.stringify(session), 'utf8') - 64)
  if (shape === 'strings') session.documents = [0, 1, 2, 3].map((i) => filler(ALPHABET, room / 4, i + 1))
  else session.notes = Array.from({ length: 16 }, (_, i) => filler(UNICODE, room / 16, i + 1))
  return session
}
