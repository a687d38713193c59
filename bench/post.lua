-- wrk script: each request posts the next prepared form body (a real token, a distinct address).
-- Bodies come from the file named by BODIES, one per line; each thread takes its own slice.

local bodies = {}
local counter = 0
local thread_index = 0
local threads = {}

function setup(thread)
  thread:set("id", thread_index)
  thread_index = thread_index + 1
  table.insert(threads, thread)
end

function init(args)
  local path = os.getenv("BODIES")
  for line in io.lines(path) do
    table.insert(bodies, line)
  end
  step = tonumber(os.getenv("THREADS") or "1")
  counter = id + 1
  -- A table of headers replaces wrk's own, so the browser's user agent is set here.
  headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["User-Agent"] = os.getenv("AGENT")}
end

request = function()
  local body = bodies[counter]
  counter = counter + step
  if counter > #bodies then
    counter = id + 1
  end
  return wrk.format("POST", nil, headers, body)
end
