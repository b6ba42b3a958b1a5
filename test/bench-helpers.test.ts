/**
 * The bench's pure helpers: the session generator and the CPU-profile breakdown. (The bench
 * itself is exercised by `npm run bench -- --quick`; the plain-app harness by bench-plain-app.test.ts.)
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { breakdown, type CpuProfile } from '../bench/profile-breakdown.js'
import { makeSession, sessionFields } from '../bench/session-data.js'

const KB = 1024

describe('makeSession', () => {
  for (const size of [KB, 16 * KB, 256 * KB]) {
    it(`makes ${size / KB} KB of JSON (within 300 bytes)`, () => {
      const bytes = Buffer.byteLength(JSON.stringify(makeSession(size)))
      assert.ok(Math.abs(bytes - size) <= 300, `${bytes} bytes for a ${size}-byte target`)
    })
  }

  it('is deterministic for a seed and differs between seeds', () => {
    const strip = (seed: number) => JSON.stringify(sessionFields(makeSession(8 * KB, seed)))
    assert.equal(strip(7), strip(7))
    assert.notEqual(strip(7), strip(8))
  })

  it('holds nested data, numbers and non-ASCII text, and a cookie that expires in the future', () => {
    const session = makeSession(8 * KB)
    const text = JSON.stringify(session)
    assert.ok(Buffer.byteLength(text) > text.length, 'some characters take more than one UTF-8 byte')
    assert.ok(Array.isArray(session.history) && (session.history as unknown[]).length > 0)
    assert.ok(new Date(session.cookie.expires).getTime() > Date.now())
    assert.equal('cookie' in sessionFields(session), false)
  })
})

describe('breakdown', () => {
  const frame = (functionName: string, url = '') => ({ functionName, url })
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 5, 8, 9, 10, 11] },
      { id: 2, callFrame: frame('save', 'file:///app/node_modules/express-session/index.js'), children: [3] },
      { id: 3, callFrame: frame('hash', 'file:///app/node_modules/express-session/index.js'), children: [4] },
      { id: 4, callFrame: frame('stringify') },
      { id: 5, callFrame: frame('#read', 'file:///repo/src/store.ts'), children: [6, 7] },
      { id: 6, callFrame: frame('parse') },
      { id: 7, callFrame: frame('addCommand', 'file:///app/node_modules/@redis/client/dist/lib/client/commands-queue.js') },
      { id: 8, callFrame: frame('(garbage collector)') },
      { id: 9, callFrame: frame('(idle)') },
      { id: 10, callFrame: frame('handle', 'file:///app/node_modules/express/lib/router.js') },
      { id: 11, callFrame: frame('postTask', 'file:///app/node_modules/piscina/dist/worker_pool/index.js') },
    ],
    // each sample's time is the delta that follows it
    samples: [4, 6, 7, 8, 9, 10, 4, 11],
    timeDeltas: [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000],
  }

  it('charges hashing, store (with its pool), client, GC and the rest, and leaves idle out', () => {
    assert.deepEqual(breakdown(profile, '/repo'), { sessionHash: 1 + 7, store: 2 + 8, redisClient: 3, gc: 4, rest: 6 })
  })

  it('counts the built package (dist/, which the benches run) as the store', () => {
    const built: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2] },
        { id: 2, callFrame: frame('get', 'file:///repo/dist/index.js'), children: [3] },
        { id: 3, callFrame: frame('parse') },
      ],
      samples: [2, 3],
      timeDeltas: [0, 1000, 2000],
    }
    assert.deepEqual(breakdown(built, '/repo'), { sessionHash: 0, store: 1 + 2, redisClient: 0, gc: 0, rest: 0 })
  })

  it("charges what runs inside a store's callback (express-session, the route) to the rest, and Node's own modules to their caller", () => {
    const nested: CpuProfile = {
      nodes: [
        { id: 1, callFrame: frame('(root)'), children: [2] },
        { id: 2, callFrame: frame('settle', 'file:///repo/dist/index.js'), children: [3, 5] },
        { id: 3, callFrame: frame('inflate', 'file:///app/node_modules/express-session/index.js'), children: [4] },
        { id: 4, callFrame: frame('writeHead', 'node:_http_server') },
        { id: 5, callFrame: frame('createCipheriv', 'node:internal/crypto/cipher') },
      ],
      samples: [3, 4, 5],
      timeDeltas: [0, 1000, 2000, 4000],
    }
    assert.deepEqual(breakdown(nested, '/repo'), { sessionHash: 0, store: 4, redisClient: 0, gc: 0, rest: 1 + 2 })
  })

  it('does not count another checkout as the store', () => {
    const result = breakdown(profile, '/elsewhere')
    assert.equal(result.store, 8)
    assert.equal(result.rest, 6 + 2)
  })
})
