/**
 * Lua scripts on ONE key each (an index, or one session record), so they run on a Redis Cluster.
 * Index scores are expiry times in milliseconds of the Redis server's own clock (TIME), so that
 * trimming agrees with the key expiry Redis applies, whatever the app hosts' clocks say.
 */
const NOW = `local k = KEYS[1]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', k, '-inf', '(' .. string.format('%.0f', now))
`

/** The index lives as long as its longest-lived entry. */
const EXPIRE_TO_TOP = `local top = redis.call('ZRANGE', k, -1, -1, 'WITHSCORES')
if top[2] == nil then return 0 end
if top[2] == 'inf' then redis.call('PERSIST', k) else redis.call('PEXPIREAT', k, top[2]) end
`

/**
 * Trim, then list `ARGV[2]` with score now + `ARGV[1]` ms ('' = no expiry); returns the score as
 * ZSCORE gives it. A rewrite never keeps the exact score it replaces, so a reader's "remove if the
 * score is still what I read" cannot remove an entry written after its read.
 */
export const INDEX_ADD = `${NOW}local score = '+inf'
if ARGV[1] ~= '' then
  score = now + tonumber(ARGV[1])
  local old = redis.call('ZSCORE', k, ARGV[2])
  if old and tonumber(old) == score then score = score + 1 end
  score = string.format('%.0f', score)
end
redis.call('ZADD', k, score, ARGV[2])
local listed = redis.call('ZSCORE', k, ARGV[2])
${EXPIRE_TO_TOP}return listed`

/** Trim, then every entry: a flat list of member, score. */
export const INDEX_READ = `${NOW}return redis.call('ZRANGE', k, 0, -1, 'WITHSCORES')`

/** Adds member, score pairs (ARGV) keeping the later score of a member already there: a key-rotation move. */
export const INDEX_MERGE = `${NOW}for i = 1, #ARGV, 2 do redis.call('ZADD', k, 'GT', ARGV[i + 1], ARGV[i]) end
${EXPIRE_TO_TOP}return 1`

/** Removes each member (ARGV: member, score pairs) whose score is still the one read; '' removes it whatever its score. */
export const INDEX_REMOVE_IF = `local k = KEYS[1]
local removed = 0
for i = 1, #ARGV, 2 do
  local s = redis.call('ZSCORE', k, ARGV[i])
  if s and (ARGV[i + 1] == '' or s == ARGV[i + 1]) then removed = removed + redis.call('ZREM', k, ARGV[i]) end
end
return removed`

/**
 * Ends a session record only if it is still the one that was checked (ARGV[1] its SHA-1, or '' for
 * "absent"): with a guard (ARGV[2] seconds) it becomes a tombstone (ARGV[3]), else it is deleted.
 * An absent record is only marked under a guard, so that a write still in flight cannot land.
 * A key of another type (a planted entry naming a hash or an index) is left alone: -1.
 */
export const END_IF_UNCHANGED = `local k = KEYS[1]
local t = redis.call('TYPE', k).ok
if t ~= 'string' and t ~= 'none' then return -1 end
local v = redis.call('GET', k)
if ARGV[1] == '' then
  if v then return 0 end
  if ARGV[2] ~= '' then redis.call('SET', k, ARGV[3], 'EX', ARGV[2]) end
  return 1
end
if not v or redis.sha1hex(v) ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', k) else redis.call('SET', k, ARGV[3], 'EX', ARGV[2]) end
return 1`
