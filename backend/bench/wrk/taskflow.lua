-- TaskFlow requests for wrk. BENCH_SCENARIO picks one of: get, list, create, update, health, mix,
-- ceiling. BENCH_IDS names a file of existing task ids, one a line (get, update and mix use it).
-- done() prints one line "BENCH_JSON {...}" that bench/wrk.py parses.

local scenario = os.getenv("BENCH_SCENARIO") or "get"
local ids_file = os.getenv("BENCH_IDS")
local ids = {}
local counter = 0
local threads = {}
local statuses = { "todo", "in_progress", "done" }
local json_headers = { ["Content-Type"] = "application/json" }

-- Globals, so done() can read them from every thread with thread:get().
non2xx = 0
thread_number = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + thread_number)
  if ids_file then
    for line in io.lines(ids_file) do
      ids[#ids + 1] = line
    end
  end
end

local function get_one()
  return wrk.format("GET", "/tasks/" .. ids[math.random(#ids)])
end

-- One status (a board column), newest first, one page: the query test_explain.py plans.
local function list_page()
  return wrk.format("GET", "/tasks?status=" .. statuses[math.random(3)] .. "&sort=-created_at&limit=50")
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
  create = create,
  update = update,
  mix = mix,
  health = function() return wrk.format("GET", "/health") end,
  ceiling = function() return wrk.format("GET", "/ceiling") end,
}
local build = builders[scenario]

function request()
  return build()
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
end

-- The latency distribution as percentiles on a grid (fine in the tail), so that runs of one
-- scenario split into slices can be merged into one distribution (bench/loadgen.py).
local grid = {}
for tenth = 5, 950, 5 do grid[#grid + 1] = tenth / 10 end
for tenth = 951, 1000 do grid[#grid + 1] = tenth / 10 end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non2xx") or 0)
  end
  local quantiles = {}
  if summary.requests > 0 then
    for i, p in ipairs(grid) do
      quantiles[i] = string.format("[%g, %d]", p, latency:percentile(p))
    end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "non2xx": %d, "connect_errors": %d, "read_errors": %d, '
      .. '"write_errors": %d, "timeouts": %d, "quantiles_us": [%s]}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, bad, e.connect, e.read, e.write, e.timeout,
    table.concat(quantiles, ", ")))
end
