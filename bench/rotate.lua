-- wrk script: GET the paths listed in a file (one a line) in turn, and report
-- throughput, latency percentiles and errors as one JSON line for bench/run.py.
-- Usage: wrk ... -s bench/rotate.lua http://127.0.0.1:8765 -- paths.txt

local paths = {}
local counter = 0

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    if #line > 0 then
      paths[#paths + 1] = line
    end
  end
  file:close()
  -- Threads start at different offsets so that they do not ask for the same page in step.
  counter = math.random(0, #paths - 1)
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    'BENCH {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, "p90_ms": %.2f, '
      .. '"p99_ms": %.2f, "max_ms": %.2f, "errors_connect": %d, "errors_read": %d, '
      .. '"errors_write": %d, "errors_status": %d, "errors_timeout": %d, "bytes": %d}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000,
    e.connect, e.read, e.write, e.status, e.timeout, summary.bytes
  ))
end
