-- wrk script for `joinedup bench intake-api`: every request a new incident (unique reference
-- per connection thread), with one new person; prints p50/p95/p99 and status counts as JSON.
local counter = 0
thread_id = 0

local threads = {}

function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  token = args[1]
  wrk.headers["Authorization"] = "Bearer " .. token
  wrk.headers["Content-Type"] = "application/json"
  non_created = 0
end

-- Names are cleaned to letters before matching, so a person's distinct surname is spelt in
-- letters (base 26) rather than digits: every request brings a different person.
local function letters(n)
  local out = ""
  repeat
    out = string.char(97 + n % 26) .. out
    n = math.floor(n / 26)
  until n == 0
  return out
end

function request()
  counter = counter + 1
  local ref = string.format("WRK-%d-%d", thread_id, counter)
  local surname = "Okafor" .. letters(thread_id * 1000000 + counter)
  local dob = string.format("%d-%02d-%02d", 1940 + counter % 60, 1 + counter % 12, 1 + counter % 28)
  local body = string.format(
    '{"reference":"%s","category":"asb_personal","occurred_at":"2026-11-20T22:15:00+00:00",' ..
    '"location":{"description":"Block %d, Westborough estate","postcode":"GU2 8AA"},' ..
    '"narrative":"Residents report youths shouting and kicking doors.",' ..
    '"people":[{"role":"victim","person":{"reference":"P-%s","first_name":"Sam",' ..
    '"surname":"%s","date_of_birth":"%s"}}]}',
    ref, counter % 50, ref, surname, dob)
  return wrk.format("POST", "/api/v1/incidents", nil, body)
end

function response(status, headers, body)
  if status ~= 201 then
    non_created = non_created + 1
  end
end

function done(summary, latency, requests)
  local failed = 0
  for _, thread in ipairs(threads) do
    failed = failed + thread:get("non_created")
  end
  io.write(string.format(
    'WRK-RESULT {"requests":%d,"seconds":%.3f,"p50_ms":%.2f,"p95_ms":%.2f,"p99_ms":%.2f,' ..
    '"max_ms":%.2f,"not_created":%d,"socket_errors":%d}\n',
    summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, failed,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
