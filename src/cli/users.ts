import type { SessionData } from 'express-session'
import { RedisStore } from '../store.js'
import { CliError, EXIT } from './cli-error.js'
import { out, requireKeys, requireSecrets, withRedis, type CommonOptions } from './context.js'
import { keysOpenAny } from './key-check.js'
import type { SessionRedis } from './session-redis.js'

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

type UserOptions = CommonOptions & { userField: string; destroyGuard?: number }

/** `userOf` from a dot path such as `user.id`. */
function fieldOf(path: string): (session: SessionData) => string | number | undefined {
  const parts = path.split('.')
  return (session) => {
    let value: unknown = session
    for (const part of parts) value = typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[part] : undefined
    return typeof value === 'string' || typeof value === 'number' ? value : undefined
  }
}

/**
 * A user's index is found through an HMAC under the store's keys, so a wrong secret finds no
 * index and looks like a user without sessions. When nothing was found, that is told apart: if
 * there are sealed records and none is under the given keys, the secret is wrong (exit 1).
 */
async function refuseWrongKeys(redis: SessionRedis, o: UserOptions): Promise<void> {
  const { sealed, opensOne } = await keysOpenAny(redis, o.prefix, await requireKeys(o))
  if (sealed > 0 && !opensOne) {
    throw new CliError(
      `the given secret opens none of the ${sealed} sealed record(s) under "${o.prefix}": wrong secret, --prefix or --key-salt? (nothing was listed or ended)`,
      EXIT.failed,
    )
  }
}

async function withStore<T>(o: UserOptions, work: (store: RedisStore) => Promise<T>, found: (result: T) => boolean): Promise<T> {
  const secret = requireSecrets(o)
  return withRedis(o, async (redis) => {
    const store = new RedisStore({
      client: redis.client,
      prefix: o.prefix,
      keySalt: o.keySalt,
      secret,
      pool: false,
      userOf: fieldOf(o.userField),
      destroyGuard: o.destroyGuard,
    })
    let result: T
    try {
      result = await work(store)
    } finally {
      await store.close()
    }
    if (!found(result)) await refuseWrongKeys(redis, o)
    return result
  })
}

const when = (ms: number | null | undefined): string => (ms === null ? 'never' : ms === undefined ? '-' : new Date(ms).toISOString())

/** Lists a user's sessions: ids and times; contents only with --show. */
export async function sessions(user: string, o: SessionsOptions): Promise<void> {
  const list = (await withStore(o, (store) => store.sessionsOf(user), (found) => (found ?? []).length > 0)) ?? []
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
  const ended = await withStore(o, (store) => store.destroySessionsOf(user, { except: o.except ?? [] }), (count) => (count ?? 0) > 0)
  out(`ended ${ended ?? 0} session(s) of user ${JSON.stringify(user)}`)
}
