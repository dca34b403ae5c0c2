-- registry-promote.lua: promotes a feature view version, a compare-and-set on the version in service, so of two
-- operators promoting from the same version at once exactly one wins, and only a registered version can be.
--
-- KEYS[1]   the registry hash (default freshet:registry): field = view ref, value = entry JSON
-- KEYS[2]   the promotions hash (default freshet:registry:promoted): field = view name, value = version
-- ARGV[1]   view name, e.g. car_motion
-- ARGV[2]   the version to promote, e.g. 2
-- ARGV[3]   the version expected in service now, or '' to promote unconditionally
--
-- The version in service is the promoted one while it is registered, else the lowest registered version (a
-- name never promoted), as promotedVersions() computes it in TypeScript.
-- Returns { outcome, current }: outcome 'promoted' | 'conflict' | 'not-registered', current the version in
-- service afterwards ('' when no version of the name is registered).

local function in_service(name)
  local promoted = redis.call('HGET', KEYS[2], name)
  if promoted and redis.call('HEXISTS', KEYS[1], name .. ':v' .. promoted) == 1 then
    return tonumber(promoted)
  end
  local prefix = name .. ':v'
  local lowest = nil
  for _, ref in ipairs(redis.call('HKEYS', KEYS[1])) do
    if string.sub(ref, 1, #prefix) == prefix then
      local version = tonumber(string.sub(ref, #prefix + 1))
      if version and (lowest == nil or version < lowest) then lowest = version end
    end
  end
  return lowest
end

local current = in_service(ARGV[1])
local shown = current and tostring(current) or ''
if redis.call('HEXISTS', KEYS[1], ARGV[1] .. ':v' .. ARGV[2]) == 0 then return { 'not-registered', shown } end
if ARGV[3] ~= '' and shown ~= ARGV[3] then return { 'conflict', shown } end
if redis.call('HGET', KEYS[2], ARGV[1]) ~= ARGV[2] then redis.call('HSET', KEYS[2], ARGV[1], ARGV[2]) end
return { 'promoted', ARGV[2] }
