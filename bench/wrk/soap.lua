-- wrk script of bench/saturation.sh: a SOAP 1.1 GetStock envelope, to the service directly or through the sidecar's
-- SOAP passthrough (with the bench agent's bearer token when OLDGUARD_TOKEN_BENCH_BOT is set and WRK_TOKEN=1).
wrk.method = "POST"
wrk.body = '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
  .. '<m:GetStockRequest xmlns:m="http://legacy.example.com/inventory/2008"><m:ItemID>42</m:ItemID>'
  .. '</m:GetStockRequest></soap:Body></soap:Envelope>'
wrk.headers["Content-Type"] = "text/xml; charset=utf-8"
wrk.headers["SOAPAction"] = '"http://legacy.example.com/inventory/2008/GetStock"'
if os.getenv("WRK_TOKEN") == "1" then
  wrk.headers["Authorization"] = "Bearer " .. os.getenv("OLDGUARD_TOKEN_BENCH_BOT")
end

-- One machine-readable line: completed calls, errors (non-2xx and socket errors), latency percentiles in ms.
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK calls=%d seconds=%.3f non2xx=%d sockerr=%d p50=%.3f p99=%.3f max=%.3f\n",
    summary.requests, summary.duration / 1e6, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
end
