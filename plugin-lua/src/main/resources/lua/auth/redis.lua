-- auth/redis.lua: clients authenticated and authorized by Redis, as VerneMQ's database auth documents it:
-- the key is the JSON array [mountpoint,client_id,username] (no spaces), the value a JSON object with the
-- bcrypt "passhash" and the "publish_acl" and "subscribe_acl" lists (docs/lua-databases.md).
--
--   plugins.lua.scripts = ["auth/redis.lua"]   # under script_path ("lua" in the install directory)
--   plugins.lua.redis { host = "127.0.0.1", port = 6379, password = "", database = 0 }
--
-- A key with client id "*" admits any client id of that username; the key naming the client id wins.
require "auth/auth_commons"

function auth_on_register(reg)
    if not may_register(reg) then
        return false
    end
    local mountpoint = reg.mountpoint or ""
    -- the key is its own argument: client ids may hold spaces
    local res = redis.cmd(pool, "get", json.encode({mountpoint, reg.client_id, reg.username}))
    if not res then
        res = redis.cmd(pool, "get", json.encode({mountpoint, "*", reg.username}))
    end
    if not res then
        return false
    end
    local entry = json.decode(res)
    if type(entry) == "table" and (identity_proven(reg) or (entry.passhash ~= nil
            and bcrypt.hashpw(reg.password, entry.passhash) == entry.passhash)) then
        cache_insert(mountpoint, reg.client_id, reg.username,
            entry.publish_acl or {}, entry.subscribe_acl or {})
        return true
    end
    return false
end

pool = "auth_redis"
config = {
    pool_id = pool
}

redis.ensure_pool(config)
hooks = auth_hooks(auth_on_register)
