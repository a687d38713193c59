-- wrk script: each request posts the next prepared form body (a real token, a distinct address).
-- Bodies come from the file named by BODIES, one per line, each sent once (see init).

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
  -- wrk runs two threads that do not share a counter, and one may send far more than the other:
  -- the first takes the bodies from the start, the second from the end, so no body is sent twice
  -- until both together have sent them all.
  if id == 0 then
    counter, step = 1, 1
  else
    counter, step = #bodies, -1
  end
  -- A table of headers replaces wrk's own, so the browser's user agent is set here.
  headers = {["Content-Type"] = "application/x-www-form-urlencoded", ["User-Agent"] = os.getenv("AGENT")}
end

request = function()
  local body = bodies[counter]
  counter = counter + step
  if counter < 1 or counter > #bodies then
    counter = (step == 1) and 1 or #bodies
  end
  return wrk.format("POST", nil, headers, body)
end
