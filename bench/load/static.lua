-- static.lua: one URL, over and over (wrk 4): the read-only runs of bench/load,
-- against techmatch and against nginx alike.
--
-- No request() or response() here, so wrk sends its one prepared request and
-- parses answers in C: the client costs the same for both servers and is as
-- cheap as wrk can be.  wrk counts answers of 400 and above (errors.status) and
-- socket errors itself; done() writes them, with the figures, to
-- $LOAD_OUT/$LOAD_NAME.summary.

function done(summary, latency, requests)
   local e = summary.errors
   local path = os.getenv("LOAD_OUT") .. "/" .. os.getenv("LOAD_NAME") .. ".summary"
   local s = assert(io.open(path, "w"))
   s:write(string.format("seconds %.2f\n", summary.duration / 1e6))
   s:write(string.format("requests %d\n", summary.requests))
   s:write(string.format("bytes %d\n", summary.bytes))
   s:write(string.format("p50_ms %.2f\n", latency:percentile(50) / 1000))
   s:write(string.format("p99_ms %.2f\n", latency:percentile(99) / 1000))
   s:write(string.format("unexpected %d\n", e.status + e.connect + e.read + e.write + e.timeout))
   s:close()
end
