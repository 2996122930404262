-- The auth script of public.vernemq.com from VerneMQ's vmq-diversity blog post, as printed there. Only what the
-- text extraction dropped is restored: the `end`s and `else`s, and the three pieces the post describes without
-- printing (max_conns_per_ip, the superusers table filled "similar to this", and the on_client_offline /
-- on_client_gone callbacks that call cleanup_counters).

max_conns_per_ip = 2

local tab = "client-counters"
kv.ensure_table({name = tab})

superusers = {}
superusers["bob"] = "bobsecret"
superusers["alice"] = "alicesecret"

function current_conns(ip)
    local ret = kv.lookup(tab, ip)
    if #ret > 0 then
        return ret[1]
    else
        return 0
    end
end

function auth_on_register(reg)
    local nr_of_conns = current_conns(reg.addr)
    if not (nr_of_conns < max_conns_per_ip) then
        log.warning("CAN'T REGISTER: ip: " .. reg.addr .. " user: "..reg.username .. " client: ".. reg.client_id .. " due to max_conns_exceeded")
        return false
    end

    local e = {} -- element
    e[reg.addr] = nr_of_conns + 1
    e[reg.client_id] = reg.addr -- index item, supposed to be unique
    kv.insert(tab, e) -- inserts two objects in ets

    local pwd = superusers[reg.username]
    if pwd then
        -- superuser tries to login
        if reg.password == pwd then
            log.info("REGISTER SUPERUSER: ip: " .. reg.addr .. " user: "..reg.username .. " client: ".. reg.client_id)
            return true
        else
            -- a superuser with wrong password is always denied
            return false
        end
    end
    log.info("REGISTER: ip: " .. reg.addr .. " user: "..reg.username .. " client: ".. reg.client_id)
    return true
end

-- clean up counters if required
-- returns the new connection count for
-- this IP address
function cleanup_counters(sub)
    local ip = kv.lookup(tab, sub.client_id)[1]
    local nr_of_conns = current_conns(ip)
    kv.delete(tab, sub.client_id)
    if nr_of_conns == 1 then
        kv.delete(tab, ip)
        return 0
    else
        local new_nr_of_conns = nr_of_conns -1
        local e = {} --element
        e[ip] = new_nr_of_conns
        kv.insert(tab, e)
        return new_nr_of_conns
    end
end

function auth_on_subscribe(sub)
    local logline = "SUBSCRIBE: client: "..sub.client_id
    for k, s in pairs(sub.topics) do
        local topic = s[1]
        local qos = s[2]
        if (string.sub(topic, 1, 4) == "$SYS") or (topic == "#") then
            -- check whether we are superuser
            if not superusers[sub.username] then
                -- we don't allow
                logline = logline .. " topic: " .. topic .. " qos: " .. qos .."\n"
                log.warning("NOT-ALLOWED-" .. logline)
                return false
            end
        end
        logline = logline .. " topic: " .. topic .. " qos: " .. qos .."\n"
    end
    return true
end

function on_client_offline(c)
    cleanup_counters(c)
end

function on_client_gone(c)
    cleanup_counters(c)
end
