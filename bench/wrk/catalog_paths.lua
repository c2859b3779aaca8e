-- bench/wrk/catalog_paths.lua — wrk script for `sigil catalog serve`: each request takes the
-- next path of a list read from the file named by the environment variable WRK_PATHS (one path
-- per line: pages, assets, /api/search queries). At the end it prints one machine-readable line
-- with the request count, errors and latency percentiles (microseconds).
local paths = {}
local f = assert(io.open(os.getenv("WRK_PATHS"), "r"))
for line in f:lines() do
  if line ~= "" then paths[#paths + 1] = line end
end
f:close()
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "wrk-result requests=%d duration_s=%.2f rps=%.0f connect=%d read=%d write=%d timeout=%d status=%d p50_us=%d p99_us=%d max_us=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
