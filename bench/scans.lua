-- wrk script: POST badge scans, each with its own Idempotency-Key, and report throughput,
-- latency percentiles and the answers by status as one JSON line for bench/checkin.py.
-- Usage: wrk ... -s bench/scans.lua http://127.0.0.1:8766 -- scans.txt <threads>
-- scans.txt: a first line "<path>\t<API token>", then one scan a line: "<key>\t<JSON body>".
-- Thread i of n sends lines i, i+n, i+2n, ... so that no two threads send the same scan;
-- a thread that runs out starts its share again (those answers are replays, counted apart).

local threads = {}
local counter = 1

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  local n = tonumber(args[2])
  local first = file:read("*l")
  path, token = first:match("^([^\t]+)\t(.+)$")
  keys, bodies = {}, {}
  local i = 0
  for line in file:lines() do
    if i % n == id then
      local key, body = line:match("^([^\t]+)\t(.+)$")
      keys[#keys + 1] = key
      bodies[#bodies + 1] = body
    end
    i = i + 1
  end
  file:close()
  created, replayed, other = 0, 0, 0
end

function request()
  local i = ((counter - 1) % #keys) + 1
  counter = counter + 1
  return wrk.format("POST", path, {
    ["Authorization"] = "Token " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = keys[i],
  }, bodies[i])
end

function response(status, headers, body)
  if status == 201 then
    created = created + 1
  elseif status == 200 then
    replayed = replayed + 1
  else
    other = other + 1
  end
end

function done(summary, latency, requests)
  local c, r, o = 0, 0, 0
  for _, thread in ipairs(threads) do
    c = c + thread:get("created")
    r = r + thread:get("replayed")
    o = o + thread:get("other")
  end
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, "p90_ms": %.2f, '
      .. '"p99_ms": %.2f, "max_ms": %.2f, "errors_connect": %d, "errors_read": %d, '
      .. '"errors_write": %d, "errors_status": %d, "errors_timeout": %d, "bytes": %d, '
      .. '"created": %d, "replayed": %d, "other_status": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout, summary.bytes, c, r, o
  ))
end
