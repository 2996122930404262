-- auth/auth_commons.lua: what Estuary's database auth scripts share (VerneMQ's layout: each script
-- starts with require "auth/auth_commons").
--
-- At register a script finds the client's vmq_auth_acl row and puts the row's publish and subscribe ACLs
-- into auth_cache. From then on the auth cache answers the client's publishes and subscribes without a
-- database round trip (patterns with %m, %u and %c, max_qos, allowed_retain, max_payload_size and
-- modifiers as VerneMQ's docs describe them); the runtime drops the entry when the client goes.

-- An ACL column as a Lua list: NULL or an empty string is "no ACL" (nothing is allowed).
function acl_from_json(text)
    if text == nil or text == "" then
        return {}
    end
    local acl = json.decode(text)
    if type(acl) ~= "table" then
        return {}
    end
    return acl
end

-- An Estuary addition (VerneMQ has no DTLS): MQTT-SN carries no password, but over DTLS the handshake
-- proved who the client is (reg.identity: its PSK identity, certificate CN or raw public key name). Such a
-- client registers without a password when that proven identity is its username (identity_as = username);
-- the row for that username and client id then decides. A nil password without a proven identity is denied.
function identity_proven(reg)
    return reg.password == nil and reg.identity ~= nil and reg.identity == reg.username
end

-- Whether a register may look its row up at all: a username, and a password or a proven identity.
function may_register(reg)
    return reg.username ~= nil and (reg.password ~= nil or identity_proven(reg))
end

function cache_insert(mountpoint, client_id, username, publish_acl, subscribe_acl)
    auth_cache.insert(mountpoint, client_id, username, publish_acl, subscribe_acl)
end

-- A publish or subscribe reaches the script only when the cached ACLs did not allow it: deny.
function auth_on_publish(pub)
    return false
end

function auth_on_subscribe(sub)
    return false
end

function on_client_gone(c)
end

function on_client_offline(c)
end

-- The hooks table of a database auth script; pass the script's auth_on_register.
function auth_hooks(on_register)
    return {
        auth_on_register = on_register,
        auth_on_publish = auth_on_publish,
        auth_on_subscribe = auth_on_subscribe,
        on_client_gone = on_client_gone,
        on_client_offline = on_client_offline,

        auth_on_register_m5 = on_register,
        auth_on_publish_m5 = auth_on_publish,
        auth_on_subscribe_m5 = auth_on_subscribe,
    }
end
