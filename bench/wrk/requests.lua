-- Replays a list of prepared GET requests, round robin, and prints the figures as JSON.
--
--   wrk -t1 -c32 -d12s -s bench/wrk/requests.lua http://127.0.0.1:8000 -- requests.tsv
--
-- requests.tsv: one request per line, "METHOD<TAB>PATH<TAB>AUTHORIZATION" (the last
-- field may be empty). Each wrk thread starts at a different line.

local requests = {}
local index = 0

function init(args)
  local file = assert(io.open(args[1], "r"))
  for line in file:lines() do
    local method, path, authorization = line:match("^([^\t]+)\t([^\t]+)\t?(.*)$")
    if method then
      local headers = {}
      if authorization ~= "" then
        headers["Authorization"] = authorization
      end
      requests[#requests + 1] = wrk.format(method, path, headers)
    end
  end
  file:close()
  assert(#requests > 0, "no requests in " .. args[1])
  index = ((thread_id or 1) - 1) * 7919 % #requests
end

function setup(thread)
  thread_count = (thread_count or 0) + 1
  thread:set("thread_id", thread_count)
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function done(summary, latency, _)
  local errors = summary.errors
  io.write(string.format(
    'JSON {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_ms": %.2f, "p95_ms": %.2f, ' ..
    '"p99_ms": %.2f, "max_ms": %.2f, "non_2xx": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, errors.status,
    errors.connect + errors.read + errors.write + errors.timeout))
end
