import { createClient } from 'redis'

/** Deletes the keys matching `match` (the bench's own prefixes only, so REDIS_URL may point at a shared server). */
export async function clearKeys(url: string, match: string): Promise<void> {
  const admin = createClient({ url })
  admin.on('error', () => {})
  await admin.connect()
  try {
    for await (const keys of admin.scanIterator({ MATCH: match, COUNT: 500 })) if (keys.length > 0) await admin.unlink(keys)
  } finally {
    await admin.close()
  }
}
