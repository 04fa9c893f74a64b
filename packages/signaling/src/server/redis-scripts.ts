/**
 * Lua scripts that keep a lobby in Redis. Each runs atomically and publishes every change on the
 * lobby's channel with a version number, so every node's mirror applies the same changes in the
 * same order. The rules match local-directory.ts.
 *
 * Keys: 1 lobby hash (code, public, max, pw, host, sealed, restoring, ver, seq), 2 lease zset
 * (peer → lease deadline), 3 order zset (peer → join sequence), 4 codes hash (code → room),
 * 5 public set (room names). ARGV: 1 channel, 2 room, 3 lease ms, 4 key ttl ms, then per script.
 * Time is Redis's own clock (TIME), so nodes' clocks never disagree about a lease.
 */
const PRELUDE = `
local lobby, lease, order, codes, public = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local channel, room = ARGV[1], ARGV[2]
local leaseMs, ttl = tonumber(ARGV[3]), tonumber(ARGV[4])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000 + math.floor(tonumber(clock[2]) / 1000)

local function publish(event)
  event.ver = redis.call('HINCRBY', lobby, 'ver', 1)
  redis.call('PUBLISH', channel, cjson.encode(event))
end

local function touch()
  redis.call('PEXPIRE', lobby, ttl)
  redis.call('PEXPIRE', lease, ttl)
  redis.call('PEXPIRE', order, ttl)
end

local function destroy()
  local code = redis.call('HGET', lobby, 'code')
  if code and redis.call('HGET', codes, code) == room then redis.call('HDEL', codes, code) end
  redis.call('SREM', public, room)
  redis.call('DEL', lobby, lease, order)
end

local function elect()
  if redis.call('HGET', lobby, 'sealed') == '1' then return end
  if redis.call('ZSCORE', lease, redis.call('HGET', lobby, 'host')) then return end
  local first = redis.call('ZRANGE', order, 0, 0)[1]
  redis.call('HSET', lobby, 'host', first)
  publish({k = 'host', host = first})
end

local function remove(peer)
  redis.call('ZREM', lease, peer)
  redis.call('ZREM', order, peer)
  publish({k = 'left', peer = peer})
end

local function settle()
  if redis.call('ZCARD', lease) == 0 then destroy() return false end
  local restoring = tonumber(redis.call('HGET', lobby, 'restoring') or '0')
  if restoring > 0 and restoring <= now then
    redis.call('HSET', lobby, 'restoring', 0)
    elect()
    publish({k = 'sync', peers = redis.call('ZRANGE', order, 0, -1), host = redis.call('HGET', lobby, 'host')})
  elseif restoring == 0 then
    elect()
  end
  return true
end

local function reap()
  if redis.call('EXISTS', lobby) == 0 then return false end
  for _, peer in ipairs(redis.call('ZRANGEBYSCORE', lease, '-inf', '(' .. now)) do remove(peer) end
  return settle()
end

local function add(peer)
  local seq = redis.call('HINCRBY', lobby, 'seq', 1)
  redis.call('ZADD', lease, now + leaseMs, peer)
  redis.call('ZADD', order, seq, peer)
  publish({k = 'joined', peer = peer})
end

local function create(host, code, pub, max, pw, sealed, restoring)
  local owner = redis.call('HGET', codes, code)
  if owner and owner ~= room then return false end
  redis.call('HSET', lobby, 'code', code, 'public', pub, 'max', max, 'pw', pw, 'host', host,
    'sealed', sealed, 'restoring', restoring, 'ver', 0, 'seq', 0)
  redis.call('HSET', codes, code, room)
  if pub == '1' then redis.call('SADD', public, room) end
  return true
end

local function snapshot()
  local f = redis.call('HMGET', lobby, 'code', 'public', 'max', 'pw', 'host', 'sealed', 'restoring', 'ver')
  return cjson.encode({code = f[1], public = f[2] == '1', max = tonumber(f[3]), pw = f[4], host = f[5],
    sealed = f[6] == '1', restoring = tonumber(f[7]) > 0, ver = tonumber(f[8]),
    peers = redis.call('ZRANGE', order, 0, -1)})
end

local function refuse(code)
  return cjson.encode({refused = code})
end
`;

/** ARGV 5..10: peer, create (0|1), password digest, max peers, public (0|1), code for a new lobby. */
const JOIN = `
local peer = ARGV[5]
if not reap() then
  if ARGV[6] ~= '1' then return refuse('E_NO_ROOM') end
  if not create(peer, ARGV[10], ARGV[9], ARGV[8], ARGV[7], '0', 0) then return refuse('E_CODE_TAKEN') end
else
  if redis.call('HGET', lobby, 'sealed') == '1' then return refuse('E_SEALED') end
  if redis.call('HGET', lobby, 'pw') ~= ARGV[7] then return refuse('E_BAD_PASSWORD') end
  if redis.call('ZCARD', lease) >= tonumber(redis.call('HGET', lobby, 'max')) then return refuse('E_ROOM_FULL') end
end
add(peer)
touch()
return snapshot()
`;

/**
 * ARGV 5..14: peer, node, restore ms, then the token's code, public, max, pw, host, sealed, and a
 * spare code should the token's code belong to another lobby by now.
 */
const RESUME = `
local peer = ARGV[5]
if reap() then
  if redis.call('ZSCORE', lease, peer) then
    redis.call('ZADD', lease, now + leaseMs, peer)
    redis.call('PUBLISH', channel, cjson.encode({k = 'resumed', peer = peer, node = ARGV[6]}))
    touch()
    return snapshot()
  end
  if tonumber(redis.call('HGET', lobby, 'restoring')) == 0 then return refuse('E_RESUME_REFUSED') end
else
  local until_ = now + tonumber(ARGV[7])
  if not create(ARGV[12], ARGV[8], ARGV[9], ARGV[10], ARGV[11], ARGV[13], until_) and
     not create(ARGV[12], ARGV[14], ARGV[9], ARGV[10], ARGV[11], ARGV[13], until_) then
    return refuse('E_CODE_TAKEN')
  end
end
add(peer)
touch()
return snapshot()
`;

/** ARGV 5: peer. */
const LEAVE = `
if redis.call('ZSCORE', lease, ARGV[5]) then
  remove(ARGV[5])
  if settle() then touch() end
end
return 'ok'
`;

/** ARGV 5: peer. */
const SEAL = `
if redis.call('EXISTS', lobby) == 0 or redis.call('HGET', lobby, 'host') ~= ARGV[5] then return refuse('E_NOT_HOST') end
if redis.call('HGET', lobby, 'sealed') ~= '1' then
  redis.call('HSET', lobby, 'sealed', 1)
  publish({k = 'sealed'})
end
return snapshot()
`;

/** ARGV 5..: the peers this node still holds live. */
const RENEW = `
if redis.call('EXISTS', lobby) == 0 then return 0 end
for i = 5, #ARGV do redis.call('ZADD', lease, 'XX', now + leaseMs, ARGV[i]) end
if reap() then touch() end
return 1
`;

/** No extra ARGV: the lobby as it is now, or a refusal if it is gone. */
const READ = `
if redis.call('EXISTS', lobby) == 0 then return refuse('E_NO_ROOM') end
return snapshot()
`;

/** The scripts by command name, each with the prelude. */
export const REDIS_SCRIPTS = {
  mpJoin: PRELUDE + JOIN,
  mpResume: PRELUDE + RESUME,
  mpLeave: PRELUDE + LEAVE,
  mpSeal: PRELUDE + SEAL,
  mpRenew: PRELUDE + RENEW,
  mpRead: PRELUDE + READ,
} as const;

/** A script's reply: a lobby snapshot or a refusal code. */
export type ScriptReply =
  | {
      refused?: undefined;
      code: string;
      public: boolean;
      max: number;
      pw: string;
      host: string;
      sealed: boolean;
      restoring: boolean;
      ver: number;
      peers: string[] | Record<string, never>;
    }
  | { refused: string };
