-- wrk script for bench/wrk.py: POST pre-signed safe-mode messages to /wechat.
--
-- Run with as many threads as connections (-t N -c N): each thread then owns one connection and one
-- request file (conn-NNNN.req, lines "msgid<TAB>path<TAB>body"), sent in order, one request at a time, so
-- a resident's turns are sequential and every response is the answer to the thread's last request.
--   wrk -t N -c N -d 5s -s bench/wechat.lua URL -- DIR [record] [period_ms]
-- record=1 keeps one line per message ("msgid status s|r|- latency_ms sent_ms"); period_ms > 0 paces a connection
-- to one request every period_ms (an open-loop offered load while the server keeps up).
-- BENCH_OUT names the JSON file done() writes; BENCH_OUT.outcomes gets the per-message lines.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

-- main environment: the threads, for done()
local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

-- thread environment
local requests, keys = {}, {}
local n, i = 0, 0
local record, period, sent_at, last_sent, start_at = false, 0, 0, nil, 0
counts = { sent = 0, responses = 0, replied = 0, success = 0, other = 0, exhausted = 0, max_ms = 0,
           first_ms = 0, last_ms = 0 }
statuses = {}
outcomes = {}

function init(args)
  local dir = args[1]
  record = args[2] == "1"
  period = tonumber(args[3] or "0") or 0
  start_at = tonumber(args[4] or "0") or 0 -- CLOCK_MONOTONIC ms before which nothing is sent
  local path = string.format("%s/conn-%04d.req", dir, tid)
  local f = assert(io.open(path, "r"))
  for line in f:lines() do
    local a = line:find("\t", 1, true)
    local b = line:find("\t", a + 1, true)
    n = n + 1
    keys[n] = line:sub(1, a - 1)
    requests[n] = wrk.format("POST", line:sub(a + 1, b - 1), { ["Content-Type"] = "text/xml" }, line:sub(b + 1))
  end
  f:close()
  if period > 0 then
    delay = function()
      if last_sent == nil then
        -- after every thread's start (start_at), the connections' first sends spread over one period
        local wait = start_at - now_ms() + math.random(0, period)
        return wait > 0 and wait or 0
      end
      local wait = last_sent + period - now_ms()
      return wait > 0 and wait or 0
    end
  end
end

function request()
  if i >= n then
    -- nothing new left to say: stop this connection rather than repeat a MsgId (a duplicate is cheap)
    counts.exhausted = 1
    wrk.thread:stop()
    return requests[n]
  end
  i = i + 1
  counts.sent = counts.sent + 1
  sent_at = now_ms()
  last_sent = sent_at
  if counts.first_ms == 0 then counts.first_ms = sent_at end
  return requests[i]
end

function response(status, headers, body)
  local now = now_ms()
  local ms = now - sent_at
  counts.last_ms = now
  counts.responses = counts.responses + 1
  if ms > counts.max_ms then counts.max_ms = ms end
  local kind = "-"
  if status == 200 then
    if body == "success" then
      counts.success = counts.success + 1
      kind = "s"
    else
      counts.replied = counts.replied + 1
      kind = "r"
    end
  else
    counts.other = counts.other + 1
    statuses[tostring(status)] = (statuses[tostring(status)] or 0) + 1
  end
  if record then
    outcomes[#outcomes + 1] = string.format("%s %d %s %.1f %.0f", keys[i], status, kind, ms, sent_at)
  end
end

function done(summary, latency, requests_stats)
  local total = { sent = 0, responses = 0, replied = 0, success = 0, other = 0, exhausted = 0, max_ms = 0,
                  first_ms = 1e300, last_ms = 0 }
  local by_status = {}
  local out = os.getenv("BENCH_OUT") or "wrk-result.json"
  local lines = io.open(out .. ".outcomes", "w")
  for _, thread in ipairs(threads) do
    local c = thread:get("counts")
    for k, v in pairs(c) do
      if k == "max_ms" or k == "last_ms" then
        if v > total[k] then total[k] = v end
      elseif k == "first_ms" then
        if v > 0 and v < total[k] then total[k] = v end
      else
        total[k] = total[k] + v
      end
    end
    for k, v in pairs(thread:get("statuses")) do by_status[k] = (by_status[k] or 0) + v end
    for _, line in ipairs(thread:get("outcomes")) do lines:write(line, "\n") end
  end
  lines:close()
  local parts = {}
  for k, v in pairs(total) do parts[#parts + 1] = string.format('"%s": %.3f', k, v) end
  local st = {}
  for k, v in pairs(by_status) do st[#st + 1] = string.format('"%s": %d', k, v) end
  local e = summary.errors
  local f = assert(io.open(out, "w"))
  f:write(string.format(
    '{"duration_us": %d, "requests": %d, "errors": {"connect": %d, "read": %d, "write": %d, "status": %d, ' ..
    '"timeout": %d}, "latency_us": {"p50": %d, "p90": %d, "p99": %d, "p999": %d, "max": %d, "mean": %.1f}, ' ..
    '"counts": {%s}, "statuses": {%s}}\n',
    summary.duration, summary.requests, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean, table.concat(parts, ", "), table.concat(st, ", ")))
  f:close()
end
