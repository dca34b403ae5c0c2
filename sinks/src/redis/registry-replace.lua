-- registry-replace.lua: replaces a feature registry entry only while the stored one has the expected content
-- hash, so a metadata update (owner, description) can never overwrite a different definition of the version.
--
-- KEYS[1]   the registry hash (default freshet:registry): field = view ref, value = entry JSON
-- ARGV[1]   view ref, e.g. car_motion:v1
-- ARGV[2]   the content hash the stored entry must have
-- ARGV[3]   the new entry JSON
--
-- Returns the entry JSON stored afterwards (the new one, or the unchanged stored one), nil when there is none.

local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored then return false end
local ok, entry = pcall(cjson.decode, stored)
if ok and type(entry) == 'table' and entry.contentHash == ARGV[2] then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
  return ARGV[3]
end
return stored
