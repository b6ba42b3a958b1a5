import type { SessionData } from 'express-session'
import { RedisStore } from '../store.js'
import { out, redisUrl, requireSecrets, type CommonOptions } from './context.js'

export interface SessionsOptions extends CommonOptions {
  userField: string
  show?: boolean
  json?: boolean
}

export interface RevokeOptions extends CommonOptions {
  userField: string
  except?: string[]
  destroyGuard?: number
}

/** `userOf` from a dot path such as `user.id`. */
function fieldOf(path: string): (session: SessionData) => string | number | undefined {
  const parts = path.split('.')
  return (session) => {
    let value: unknown = session
    for (const part of parts) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined
    return typeof value === 'string' || typeof value === 'number' ? value : undefined
  }
}

async function withStore<T>(o: CommonOptions & { userField: string; destroyGuard?: number }, work: (store: RedisStore) => Promise<T>): Promise<T> {
  const store = new RedisStore({ url: redisUrl(o), prefix: o.prefix, secret: requireSecrets(o), pool: false, userOf: fieldOf(o.userField), destroyGuard: o.destroyGuard })
  try {
    return await work(store)
  } finally {
    await store.close()
  }
}

const when = (ms: number | null | undefined): string => (ms === null ? 'never' : ms === undefined ? '-' : new Date(ms).toISOString())

/** Lists a user's sessions: ids and times; contents only with --show. */
export async function sessions(user: string, o: SessionsOptions): Promise<void> {
  const list = (await withStore(o, (store) => store.sessionsOf(user))) ?? []
  if (o.json) {
    out(JSON.stringify(list.map(({ session, ...times }) => (o.show ? { ...times, session } : times))))
    return
  }
  out(`${list.length} session(s) of user ${JSON.stringify(user)}`)
  for (const s of list) {
    out(`${s.id}  created ${when(s.createdAt)}  last sealed ${when(s.sealedAt)}  expires ${when(s.expiresAt)}`)
    if (o.show) out(`  ${JSON.stringify(s.session)}`)
  }
}

/** Ends a user's sessions, except --except. */
export async function revoke(user: string, o: RevokeOptions): Promise<void> {
  const ended = await withStore(o, (store) => store.destroySessionsOf(user, { except: o.except ?? [] }))
  out(`ended ${ended ?? 0} session(s) of user ${JSON.stringify(user)}`)
}
