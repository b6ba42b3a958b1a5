/**
 * What the Redis server did for an app, read from outside it: INFO commandstats (calls and the
 * server's own µs per command), so a figure can say how many commands, and which, a request sent.
 */
import { createClient } from 'redis'

export type CommandStats = Record<string, { calls: number; usec: number }>

/** Parses INFO commandstats: "cmdstat_get:calls=12,usec=34,usec_per_call=2.83,…" per line. */
export function parseCommandStats(info: string): CommandStats {
  const stats: CommandStats = {}
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+),usec=(\d+)/gm)) stats[match[1] as string] = { calls: Number(match[2]), usec: Number(match[3]) }
  return stats
}

export async function commandStats(url: string): Promise<CommandStats> {
  const client = createClient({ url })
  client.on('error', () => {})
  await client.connect()
  try {
    return parseCommandStats(await client.info('commandstats'))
  } finally {
    await client.close()
  }
}

/** Per request between two readings: commands by name ("get 1, evalsha 1") and the server's µs. The reading's own INFO is left out. */
export function commandsPer(before: CommandStats, after: CommandStats, requests: number): { commands: Record<string, number>; serverUs: number } {
  const commands: Record<string, number> = {}
  let usec = 0
  for (const [name, { calls, usec: u }] of Object.entries(after)) {
    if (name === 'info' || name === 'client|setinfo' || name === 'hello') continue
    const was = before[name] ?? { calls: 0, usec: 0 }
    if (calls > was.calls) commands[name] = (calls - was.calls) / requests
    usec += u - was.usec
  }
  return { commands, serverUs: usec / requests }
}
