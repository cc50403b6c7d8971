-- The signed-in and form-post scenarios of `make bench`, for wrk:
--   wrk ... -s bench/scenarios.lua http://127.0.0.1:PORT -- MODE DATAFILE OFFSET THREADS
-- MODE is submit, webhooks, mine, signed-in, track or insert; DATAFILE comes from bench/scenario_data.py: a first line of key=value
-- settings (path, method, cookies, expected status...), then one tab-separated line per request's data.
--
-- submit: each request files a new application: row OFFSET+id, OFFSET+id+THREADS, ... for thread `id`, never
--         twice; when a thread runs out it stops and says so (the run is then not a measurement).
-- webhooks: each request is the payment gateway's signed webhook for another payment, rows taken as for submit:
--         a server's JSON post (X-Paygw-Timestamp, X-Paygw-Signature), no cookies, no CSRF token.
-- mine:   each request is a signed-in citizen's "my applications", the citizens taken in turn.
-- signed-in: the same for the signed-in baseline view, with its own citizens.
-- track:  each request tracks another application, from another address (X-Forwarded-For, as a load
--         balancer writes it), so the per-address limit counts each visitor on their own.
-- insert: the single-insert baseline: a form post with its CSRF token.
--
-- Every response is checked (status, Location, a piece of the page) and the server's own time is read from
-- the Server-Timing header. done() prints one line starting with "bench:" that bench/run.py reads.

local threads = {}
local count = 0

function setup(thread)
  count = count + 1
  thread:set("id", count)
  table.insert(threads, thread)
end

local function split(line)
  local fields = {}
  for field in string.gmatch(line, "[^\t]+") do
    fields[#fields + 1] = field
  end
  return fields
end

local function urlencode(text)
  return (string.gsub(text, "[^%w%-%._~]", function(c)
    return string.format("%%%02X", string.byte(c))
  end))
end

function init(args)
  mode = args[1]
  local offset, nthreads = tonumber(args[3]), tonumber(args[4])
  settings, rows = nil, {}
  for line in io.lines(args[2]) do
    if settings == nil then
      settings = {}
      for _, pair in ipairs(split(line)) do
        local key, value = string.match(pair, "^([^=]+)=(.*)$")
        settings[key] = value
      end
    elseif line ~= "" then
      rows[#rows + 1] = split(line)
    end
  end
  mine = {}
  one_use = mode == "submit" or mode == "webhooks"
  if one_use then
    local i = offset + id
    while i <= #rows do
      mine[#mine + 1] = rows[i]
      i = i + nthreads
    end
  else
    mine = rows
  end
  position = one_use and 0 or ((id - 1) * math.floor(#rows / nthreads))
  expect = tonumber(settings.expect)
  used, bad, exhausted, first_bad, timings = 0, 0, 0, "", {}
  base_headers = {
    ["Host"] = settings.host,
    ["X-Forwarded-Proto"] = "https",
    ["User-Agent"] = "wrk (bawaba bench)",
  }
end

local function headers_with(extra)
  local headers = {}
  for k, v in pairs(base_headers) do
    headers[k] = v
  end
  for k, v in pairs(extra) do
    headers[k] = v
  end
  return headers
end

local function form_post(cookies, fields)
  local body = {}
  for _, pair in ipairs(fields) do
    body[#body + 1] = pair[1] .. "=" .. urlencode(pair[2])
  end
  local headers = headers_with({
    ["Cookie"] = cookies,
    ["Origin"] = settings.origin,
    ["Referer"] = settings.origin .. settings.path,
    ["Content-Type"] = "application/x-www-form-urlencoded",
  })
  return wrk.format("POST", settings.path, headers, table.concat(body, "&"))
end

function request()
  if one_use and used >= #mine then
    exhausted = 1
    wrk.thread:stop()
    return wrk.format("GET", "/bench/minimal", base_headers)
  end
  if mode == "submit" then
    used = used + 1
    local row = mine[used]
    local cookies = string.format(
      "%s; %s=%s; %s=%s", settings.cookies, settings.session_cookie, row[1], settings.csrf_cookie, row[2]
    )
    return form_post(cookies, { { "csrfmiddlewaretoken", row[3] }, { "key", row[4] } })
  elseif mode == "webhooks" then
    used = used + 1
    local row = mine[used]
    return wrk.format("POST", settings.path, headers_with({
      ["Content-Type"] = "application/json",
      ["X-Paygw-Timestamp"] = row[1],
      ["X-Paygw-Signature"] = row[2],
    }), row[3])
  elseif mode == "mine" or mode == "signed-in" then
    position = position % #mine + 1
    used = used + 1
    local cookies = string.format("%s; %s=%s", settings.cookies, settings.session_cookie, mine[position][1])
    return wrk.format("GET", settings.path, headers_with({ ["Cookie"] = cookies }))
  elseif mode == "track" then
    position = position % #mine + 1
    used = used + 1
    local row = mine[position]
    local cookies = string.format("%s; %s=%s", settings.cookies, settings.csrf_cookie, settings.csrf_secret)
    -- One address per request (10.id.x.y): no simulated visitor comes near the per-address limit.
    base_headers["X-Forwarded-For"] = string.format(
      "10.%d.%d.%d", id % 256, math.floor(used / 256) % 256, used % 256
    )
    return form_post(cookies, {
      { "csrfmiddlewaretoken", settings.csrf_token },
      { "reference", row[1] },
      { "last_four", row[2] },
    })
  else
    used = used + 1
    local cookies = string.format("%s; %s=%s", settings.cookies, settings.csrf_cookie, settings.csrf_secret)
    return form_post(cookies, { { "csrfmiddlewaretoken", settings.csrf_token }, { "note", "bench" } })
  end
end

function response(status, headers, body)
  local ok = status == expect
  if ok and settings.location then
    ok = string.find(headers["Location"] or "", settings.location, 1, true) ~= nil
  end
  if ok and settings.marker then
    ok = string.find(body or "", settings.marker, 1, true) ~= nil
  end
  if not ok then
    bad = bad + 1
    if first_bad == "" then
      first_bad = tostring(status) .. " " .. (headers["Location"] or "")
    end
  end
  local timing = headers["Server-Timing"] or headers["server-timing"]
  if timing then
    local duration = tonumber(string.match(timing, "dur=([%d%.]+)"))
    if duration then
      timings[#timings + 1] = duration
    end
  end
end

function done(summary, latency, requests)
  local all, total_bad, most_used, any_exhausted, first, each = {}, 0, 0, 0, "", {}
  for _, thread in ipairs(threads) do
    total_bad = total_bad + (thread:get("bad") or 0)
    most_used = math.max(most_used, thread:get("used") or 0)
    each[#each + 1] = tostring(thread:get("used") or 0)
    any_exhausted = math.max(any_exhausted, thread:get("exhausted") or 0)
    if first == "" then
      first = thread:get("first_bad") or ""
    end
    for _, value in ipairs(thread:get("timings") or {}) do
      all[#all + 1] = value
    end
  end
  table.sort(all)
  local function percentile(p)
    if #all == 0 then
      return -1
    end
    return all[math.max(1, math.ceil(p / 100 * #all))]
  end
  io.write(string.format(
    "bench: p95_ms=%.3f server_p50_ms=%.3f server_p95_ms=%.3f server_p99_ms=%.3f samples=%d bad=%d used=%d used_each=%s exhausted=%d first_bad=%s\n",
    latency:percentile(95) / 1000, percentile(50), percentile(95), percentile(99), #all, total_bad, most_used,
    table.concat(each, ","), any_exhausted, (string.gsub(first, "%s", "_"))
  ))
end
