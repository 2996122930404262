-- auth/mysql.lua: clients authenticated and authorized by MySQL's or MariaDB's vmq_auth_acl table, as
-- VerneMQ's database auth documents it (docs/lua-databases.md has the schema and sample rows).
--
--   plugins.lua.scripts = ["auth/mysql.lua"]   # under script_path ("lua" in the install directory)
--   plugins.lua.mysql { host = "127.0.0.1", port = 3306, user = "vmq", password = "…", database = "vmq" }
--   plugins.lua.mysql.password_hash_method = password   # password | md5 | sha1 | sha256, as VerneMQ's
--
-- The passwords are hashed by the server with the configured function (mysql.hash_method() is its SQL).
-- A row whose client_id is '*' admits any client id of that username; a row naming the client id wins.
require "auth/auth_commons"

function auth_on_register(reg)
    if not may_register(reg) then
        return false
    end
    local mountpoint = reg.mountpoint or ""
    local results
    if identity_proven(reg) then
        results = mysql.execute(pool,
            [[SELECT client_id, publish_acl, subscribe_acl
              FROM vmq_auth_acl
              WHERE mountpoint = ? AND (client_id = ? OR client_id = '*') AND username = ?
              ORDER BY client_id = '*']],
            mountpoint, reg.client_id, reg.username)
    else
        results = mysql.execute(pool,
            [[SELECT client_id, publish_acl, subscribe_acl
              FROM vmq_auth_acl
              WHERE mountpoint = ? AND (client_id = ? OR client_id = '*') AND username = ?
                AND password = ]] .. mysql.hash_method() .. [[
              ORDER BY client_id = '*']],
            mountpoint, reg.client_id, reg.username, reg.password)
    end
    if #results >= 1 then
        local row = results[1]
        cache_insert(mountpoint, reg.client_id, reg.username,
            acl_from_json(row.publish_acl), acl_from_json(row.subscribe_acl))
        return true
    end
    return false
end

pool = "auth_mysql"
config = {
    pool_id = pool
}

mysql.ensure_pool(config)
hooks = auth_hooks(auth_on_register)
