-- TaskFlow requests for wrk. BENCH_SCENARIO picks one of: get, list, count, stats, create, update,
-- put_if_match, delete, health, mix, ceiling.
-- BENCH_IDS names a file of task ids, one a line: get, update and mix pick existing tasks from it
-- at random; delete deletes them in order, each once.
-- BENCH_VERSIONS names a file of "id version" lines (put_if_match sends each id's current version
-- in If-Match, and takes the new one from the answer).
-- BENCH_SEND_MS: requests are sent for this long; then each connection waits for its last answer
-- and sends nothing more, so that wrk stops with no request in flight (wrk's -d is longer).
-- BENCH_TOKEN: a credential sent with every request as `Authorization: Bearer <token>`.
-- done() prints one line "BENCH_JSON {...}" that bench/loadgen.py parses.

local scenario = os.getenv("BENCH_SCENARIO") or "get"
local ids_file = os.getenv("BENCH_IDS")
local versions_file = os.getenv("BENCH_VERSIONS")
local ids = {}
local counter = 0
local threads = {}
local statuses = { "todo", "in_progress", "done" }
local priorities = { "low", "medium", "high" }
local json_headers = { ["Content-Type"] = "application/json" }
local send_us = tonumber(os.getenv("BENCH_SEND_MS") or "0") * 1000
local token = os.getenv("BENCH_TOKEN")
local authorization = token and ("Bearer " .. token) or nil

-- A monotonic clock in microseconds (wrk's Lua has none of its own; LuaJIT's FFI reaches libc).
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
  int clock_gettime(int clock_id, bench_timespec *tp);
]]
local clock = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000000 + tonumber(clock.tv_nsec) / 1000
end

-- Globals, so done() can read them from every thread with thread:get().
non2xx = 0
-- Requests sent (the round trips are counted per request sent). wrk builds one request more,
-- before the run, to check it (script_verify_request): calls counts that one too.
calls = 0
sent = 0
-- When the first request was built and the last answer read: the run's active time.
first_us = 0
last_us = 0
thread_number = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

-- put_if_match: ids not in flight, first in first out, and each one's current version.
local versions = {}
local free, free_first, free_last = {}, 1, 0

local function release(id)
  free_last = free_last + 1
  free[free_last] = id
end

local function take()
  local id = free[free_first]
  free[free_first] = nil
  free_first = free_first + 1
  return id
end

function init(args)
  math.randomseed(os.time() * 1000 + thread_number)
  if authorization then
    -- wrk.format takes wrk.headers when given no headers of its own, else only those given.
    wrk.headers["Authorization"] = authorization
    json_headers["Authorization"] = authorization
  end
  if ids_file then
    for line in io.lines(ids_file) do
      ids[#ids + 1] = line
    end
  end
  if versions_file then
    for line in io.lines(versions_file) do
      local id, version = line:match("^(%S+) (%d+)$")
      versions[id] = version
      release(id)
    end
  end
end

local function get_one()
  return wrk.format("GET", "/tasks/" .. ids[math.random(#ids)])
end

-- One status (a board column), newest first, one page and its total: the query test_explain.py
-- plans.
local function list_page()
  return wrk.format("GET", "/tasks?status=" .. statuses[math.random(3)] .. "&sort=-created_at&limit=50")
end

local function count()
  return wrk.format("GET", "/tasks/count?status=" .. statuses[math.random(3)])
end

local function create()
  counter = counter + 1
  local body = string.format('{"title": "bench-create %d-%d", "priority": "high"}', thread_number, counter)
  return wrk.format("POST", "/tasks", json_headers, body)
end

local function update()
  local body = string.format('{"status": "%s"}', statuses[math.random(3)])
  return wrk.format("PATCH", "/tasks/" .. ids[math.random(#ids)], json_headers, body)
end

-- A task no other connection is writing, at the version last seen: the If-Match always holds.
local function put_if_match()
  local id = take()
  local headers = {
    ["Content-Type"] = "application/json",
    ["If-Match"] = '"' .. versions[id] .. '"',
    ["Authorization"] = authorization,
  }
  local body = string.format('{"priority": "%s"}', priorities[math.random(3)])
  return wrk.format("PUT", "/tasks/" .. id, headers, body)
end

local function delete_one()
  -- The n-th request sent deletes the n-th id (wrk's check builds a request for the first).
  -- Past the end of the file ids come round again, and answer 404: counted as non-2xx.
  return wrk.format("DELETE", "/tasks/" .. ids[(math.max(sent, 1) - 1) % #ids + 1])
end

local function mix()
  local r = math.random()
  if r < 0.70 then return get_one()
  elseif r < 0.85 then return list_page()
  elseif r < 0.95 then return create()
  else return update() end
end

local builders = {
  get = get_one,
  list = list_page,
  count = count,
  stats = function() return wrk.format("GET", "/tasks/stats") end,
  create = create,
  update = update,
  put_if_match = put_if_match,
  delete = delete_one,
  mix = mix,
  health = function() return wrk.format("GET", "/health") end,
  ceiling = function() return wrk.format("GET", "/ceiling") end,
}
local build = builders[scenario]

function request()
  calls = calls + 1
  sent = math.max(calls - 1, 0)
  if sent == 1 then first_us = now_us() end
  return build()
end

-- Called before each request (wrk's first included): none once the send window is over.
function delay()
  if send_us == 0 or first_us == 0 or now_us() - first_us < send_us then return 0 end
  return 3600 * 1000
end

function response(status, headers, body)
  last_us = now_us()
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  elseif scenario == "put_if_match" then
    local id, version = body:match('"id":"([^"]+)"'), body:match('"version":(%d+)')
    if id and version then
      versions[id] = version
      release(id)
    end
  end
end

-- The latency distribution as percentiles on a grid (fine in the tail), so that runs of one
-- scenario split into slices can be merged into one distribution (bench/loadgen.py).
local grid = {}
for tenth = 5, 950, 5 do grid[#grid + 1] = tenth / 10 end
for tenth = 951, 1000 do grid[#grid + 1] = tenth / 10 end

function done(summary, latency, requests)
  local bad, written, first, last = 0, 0, nil, 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
    written = written + (thread:get("sent") or 0)
    local started = thread:get("first_us") or 0
    if started > 0 and (first == nil or started < first) then first = started end
    last = math.max(last, thread:get("last_us") or 0)
  end
  local active = (first and last > first) and (last - first) or 0
  local quantiles = {}
  if summary.requests > 0 then
    for i, p in ipairs(grid) do
      quantiles[i] = string.format("[%g, %d]", p, latency:percentile(p))
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "sent": %d, "duration_us": %d, "active_us": %d, '
      .. '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "non2xx": %d, "connect_errors": %d, "read_errors": %d, '
      .. '"write_errors": %d, "timeouts": %d, "quantiles_us": [%s]}\n',
    summary.requests, written, summary.duration, active, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, bad, e.connect, e.read, e.write, e.timeout,
    table.concat(quantiles, ", ")))
end
