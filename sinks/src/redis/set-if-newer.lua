-- set-if-newer.lua: stores one feature record (one window of one view version of one entity) unless the hash
-- already holds a record of that window at least as new. Layout: see keys.ts.
--
-- KEYS[1]   the entity's hash for the view version: <prefix>{<entity>}:<view>:v<version>
-- ARGV[1]   window field, w:<window>
-- ARGV[2]   window state to store: windowStart:windowEnd:eventTime:final(0|1):writtenAt
-- ARGV[3]   windowEnd (epoch ms)
-- ARGV[4]   eventTime (epoch ms)
-- ARGV[5]   final, 1 or 0
-- ARGV[6]   expireAt (epoch ms): eventTime + the view's ttl
-- ARGV[7..] feature field, value pairs: f:<feature>, eventTime:value
--
-- Returns 1 when stored, 0 when not newer than the stored window, -1 when already past its ttl (Redis clock).
-- "Newer" is greater (windowEnd, eventTime, final): a final record beats a partial at the same event time, and
-- a tie keeps what is stored, so replays write nothing.

local key = KEYS[1]
local windowEnd, eventTime, final = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local expireAt = tonumber(ARGV[6])

-- Writing a value that is already expired would only create a key for Redis to drop.
local time = redis.call('TIME')
local nowMs = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
if expireAt <= nowMs then return -1 end

local stored = redis.call('HGET', key, ARGV[1])
if stored then
  local sEnd, sEvent, sFinal = string.match(stored, '^[^:]*:([^:]*):([^:]*):([^:]*)')
  sEnd, sEvent, sFinal = tonumber(sEnd), tonumber(sEvent), tonumber(sFinal)
  if sEnd and sEvent and sFinal then
    if windowEnd < sEnd then return 0 end
    if windowEnd == sEnd then
      if eventTime < sEvent then return 0 end
      if eventTime == sEvent and final <= sFinal then return 0 end
    end
  end
end

redis.call('HSET', key, ARGV[1], ARGV[2], unpack(ARGV, 7))

-- The key lives until the newest stored value expires: only ever move the deadline later.
local current = redis.call('PEXPIRETIME', key)
if current < 0 or expireAt > current then redis.call('PEXPIREAT', key, expireAt) end
return 1
