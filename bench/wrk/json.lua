-- wrk script of bench/saturation.sh: a GetStock call on the sidecar's JSON tool API, as the bench agent.
wrk.method = "POST"
wrk.body = '{"ItemID": 42}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("OLDGUARD_TOKEN_BENCH_BOT")

-- One machine-readable line: completed calls, errors (non-2xx and socket errors), latency percentiles in ms.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK calls=%d seconds=%.3f non2xx=%d sockerr=%d p50=%.3f p99=%.3f max=%.3f\n",
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
