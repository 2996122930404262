-- auth/postgres.lua: clients authenticated and authorized by PostgreSQL's vmq_auth_acl table, as
-- VerneMQ's database auth documents it (docs/lua-databases.md has the schema and sample rows).
--
--   plugins.lua.scripts = ["auth/postgres.lua"]   # under script_path ("lua" in the install directory)
--   plugins.lua.postgres { host = "127.0.0.1", port = 5432, user = "vmq", password = "…", database = "vmq" }
--   plugins.lua.postgres.password_hash_method = crypt   # crypt: pgcrypto checks on the server
--                                                       # bcrypt: checked here with bcrypt.hashpw
--
-- A row whose client_id is '*' admits any client id of that username; a row naming the client id wins.
require "auth/auth_commons"

function auth_on_register(reg)
    if not may_register(reg) then
        return false
    end
    local mountpoint = reg.mountpoint or ""
    local results
    if identity_proven(reg) then
        results = postgres.execute(pool,
            [[SELECT client_id, publish_acl::TEXT, subscribe_acl::TEXT
              FROM vmq_auth_acl
              WHERE mountpoint = $1 AND (client_id = $2 OR client_id = '*') AND username = $3
              ORDER BY client_id = '*']],
            mountpoint, reg.client_id, reg.username)
    elseif postgres.hash_method() == "bcrypt" then
        results = postgres.execute(pool,
            [[SELECT client_id, password, publish_acl::TEXT, subscribe_acl::TEXT
              FROM vmq_auth_acl
              WHERE mountpoint = $1 AND (client_id = $2 OR client_id = '*') AND username = $3
              ORDER BY client_id = '*']],
            mountpoint, reg.client_id, reg.username)
        local matching = {}
        for _, row in ipairs(results) do
            if row.password ~= nil and bcrypt.hashpw(reg.password, row.password) == row.password then
                matching[#matching + 1] = row
            end
        end
        results = matching
    else
        results = postgres.execute(pool,
            [[SELECT client_id, publish_acl::TEXT, subscribe_acl::TEXT
              FROM vmq_auth_acl
              WHERE mountpoint = $1 AND (client_id = $2 OR client_id = '*') AND username = $3
                AND password = crypt($4, password)
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

pool = "auth_postgres"
config = {
    pool_id = pool
}

postgres.ensure_pool(config)
hooks = auth_hooks(auth_on_register)
