-- mixed.lua: the mixed workload of bench/load (wrk 4, LuaJIT).
--
-- Each request is drawn by weight: a page of listings, one listing, a
-- listing's live matches, a full-text search, a new demand, a new achievement
-- (both matched as they are stored), or a login.  Every request is one the
-- server must answer with success: 200, or 201 for the creations.  Anything
-- else is an unexpected error.
--
-- wrk gives response() no link to the request it answers, so responses are
-- told apart by what they carry: a 201 names the listing's id and kind and
-- the title's unique token (LD<thread>x<n> or LA<thread>x<n>), which is
-- recorded as an acknowledged write; a login's 200 carries expires_at and the
-- token, whose session is a write too.
--
-- The login limiter (src/api_auth.c) counts an attempt as a failure until its
-- password is verified, so concurrent correct logins of one account or one
-- address can meet the limits (5 an account, 20 an address).  Each wrk thread
-- therefore logs in with its own account (login-<thread>@load.test) and has at
-- most one login in flight; run.sh keeps the threads below 20.
--
-- Configuration comes from the environment (run.sh sets it): LOAD_DIR
-- (words.txt, fields.txt), LOAD_OUT (where done() writes mixed.summary and
-- acks.txt), LOAD_ACHIEVEMENTS and LOAD_DEMANDS (the seeded ids are 1..N),
-- LOAD_TOKEN_ENTERPRISE, LOAD_TOKEN_UNIVERSITY, LOAD_TOKEN_BROKER.

local weights = {
   { "list", 25 },                -- GET /api/{kind}?limit=20 (half of them filtered by field)
   { "get", 25 },                 -- GET /api/{kind}/{id}
   { "matches", 15 },             -- GET /api/{kind}/{id}/matches (broker, or the enterprise on its own demand)
   { "search", 20 },              -- GET /api/{kind}?q=...
   { "create_demand", 5 },        -- POST /api/demands
   { "create_achievement", 5 },   -- POST /api/achievements
   { "login", 0.2 },              -- POST /api/auth/login
}
-- A login is rare but dear: argon2id (libsodium's interactive limits, 64 MiB)
-- takes some 150 ms of a core, a hundred times a read, so 0.2% of the
-- requests are already about a tenth of the server's work.

local threads = {}
local counter = 1

-- Runs in the main state, once a thread.
function setup(thread)
   thread:set("tid", counter - 1)
   threads[counter] = thread
   counter = counter + 1
end

local words_zh, words_en, fields = {}, {}, {}
local n_achievements, n_demands
local token_enterprise, token_university, token_broker
local login_body
local login_busy = false
-- Globals, so that done() reaches them with thread:get (which reads globals only).
sent, ok, unexpected = {}, { read = 0, login = 0, create = 0 }, {}
acks = {}                -- "demand ID TOKEN" a 201, "session TOKEN" a login
local own_demands = {}   -- ids of the demands this thread created
local serial = 0
local shown = 0          -- unexpected answers printed so far

local function need(name)
   local v = os.getenv(name)
   if v == nil or v == "" then
      error("mixed.lua: " .. name .. " is not set")
   end
   return v
end

-- Runs in each thread's state.
function init(args)
   local dir = need("LOAD_DIR")
   for line in io.lines(dir .. "/words.txt") do
      local lang, word = line:match("^(%a%a) (.+)$")
      if lang == "en" then
         words_en[#words_en + 1] = word
      else
         words_zh[#words_zh + 1] = word
      end
   end
   for line in io.lines(dir .. "/fields.txt") do
      fields[#fields + 1] = line
   end
   n_achievements = tonumber(need("LOAD_ACHIEVEMENTS"))
   n_demands = tonumber(need("LOAD_DEMANDS"))
   token_enterprise = "Bearer " .. need("LOAD_TOKEN_ENTERPRISE")
   token_university = "Bearer " .. need("LOAD_TOKEN_UNIVERSITY")
   token_broker = "Bearer " .. need("LOAD_TOKEN_BROKER")
   login_body = string.format('{"email":"login-%d@load.test","password":"load password 42"}', tid)
   math.randomseed(1000 + tid)
   local total = 0
   for _, w in ipairs(weights) do
      total = total + w[2]
      sent[w[1]] = 0
   end
   for _, w in ipairs(weights) do
      w[3] = w[2] / total
   end
end

local function pick()
   local u = math.random()
   for _, w in ipairs(weights) do
      u = u - w[3]
      if u < 0 then
         return w[1]
      end
   end
   return weights[1][1]
end

-- n words of one language, as the corpus writes them: English with spaces,
-- Chinese run together with a comma every 7 words.
local function words(english, n)
   local out = {}
   for i = 1, n do
      if english then
         out[#out + 1] = words_en[math.random(#words_en)]
      else
         out[#out + 1] = words_zh[math.random(#words_zh)]
         if i % 7 == 0 and i < n then
            out[#out + 1] = "，"
         end
      end
   end
   return table.concat(out, english and " " or "")
end

local function urlencode(s)
   return (s:gsub("[^%w%-%._~]", function(c)
      return string.format("%%%02X", c:byte())
   end))
end

local function kind()
   return math.random(2) == 1 and "demands" or "achievements"
end

local function random_id(k)
   return math.random(k == "demands" and n_demands or n_achievements)
end

local get_headers = {}
local function get(path, auth)
   get_headers["Authorization"] = auth
   return wrk.format("GET", path, get_headers)
end

local function post(path, auth, body)
   local h = { ["Content-Type"] = "application/json" }
   if auth then
      h["Authorization"] = auth
   end
   return wrk.format("POST", path, h, body)
end

local function new_listing(demand)
   serial = serial + 1
   local english = math.random(3) == 1
   local title = string.format("L%s%dx%d %s", demand and "D" or "A", tid, serial,
                               words(english, 3 + math.random(0, 3)))
   local text = words(english, 15 + math.random(0, 25))
   local kw = {}
   for i = 1, 3 do
      kw[i] = '"' .. words(english, 1) .. '"'
   end
   return string.format('{"title":"%s","%s":"%s","keywords":[%s],"fields":["%s"]}', title,
                        demand and "description" or "abstract", text, table.concat(kw, ","),
                        fields[math.random(#fields)])
end

function request()
   local what = pick()
   if what == "login" and login_busy then
      what = "get"
   end
   sent[what] = sent[what] + 1
   if what == "list" then
      local k = kind()
      if math.random(2) == 1 then
         return get("/api/" .. k .. "?limit=20")
      end
      return get("/api/" .. k .. "?limit=20&field=" .. fields[math.random(#fields)]:sub(1, 1))
   elseif what == "get" then
      local k = kind()
      return get("/api/" .. k .. "/" .. random_id(k))
   elseif what == "matches" then
      if #own_demands > 0 and math.random(2) == 1 then
         return get("/api/demands/" .. own_demands[math.random(#own_demands)] .. "/matches", token_enterprise)
      end
      local k = kind()
      return get("/api/" .. k .. "/" .. random_id(k) .. "/matches", token_broker)
   elseif what == "search" then
      local english = math.random(3) == 1
      local q = words(english, 1)
      if math.random(4) == 1 then
         q = q .. " " .. words(english, 1)
      end
      return get("/api/" .. kind() .. "?limit=20&q=" .. urlencode(q))
   elseif what == "create_demand" then
      return post("/api/demands", token_enterprise, new_listing(true))
   elseif what == "create_achievement" then
      return post("/api/achievements", token_university, new_listing(false))
   else
      login_busy = true
      return post("/api/auth/login", nil, login_body)
   end
end

function response(status, headers, body)
   if status == 200 then
      local token = body:find('"expires_at"', 1, true) and body:match('"token":"(tm_[^"]+)"')
      if token then
         ok.login = ok.login + 1
         acks[#acks + 1] = "session " .. token
         login_busy = false
      else
         ok.read = ok.read + 1
      end
      return
   end
   if status == 201 then
      local id, k = body:match('^{"id":(%d+),"kind":"(%a+)"')
      local token = body:match('"title":"(L[DA]%d+x%d+) ')
      if id and token and (k == "demand" or k == "achievement") then
         ok.create = ok.create + 1
         acks[#acks + 1] = k .. " " .. id .. " " .. token
         if k == "demand" then
            own_demands[#own_demands + 1] = tonumber(id)
         end
         return
      end
      status = "201 without the listing"
   end
   -- Unexpected.  If it answered this thread's login, the next login may go.
   login_busy = false
   local key = tostring(status)
   unexpected[key] = (unexpected[key] or 0) + 1
   if shown < 5 then
      shown = shown + 1
      io.stderr:write(string.format("mixed.lua: unexpected %s: %s\n", key, body:sub(1, 300)))
   end
end

-- Runs in the main state after the run.
function done(summary, latency, requests)
   local out = need("LOAD_OUT")
   local f = assert(io.open(out .. "/acks.txt", "w"))
   local total_sent, total_ok, total_unexpected = {}, { read = 0, login = 0, create = 0 }, {}
   for _, t in ipairs(threads) do
      for _, line in ipairs(t:get("acks")) do
         f:write(line, "\n")
      end
      for k, v in pairs(t:get("sent")) do
         total_sent[k] = (total_sent[k] or 0) + v
      end
      for k, v in pairs(t:get("ok")) do
         total_ok[k] = total_ok[k] + v
      end
      for k, v in pairs(t:get("unexpected")) do
         total_unexpected[k] = (total_unexpected[k] or 0) + v
      end
   end
   f:close()
   local e = summary.errors
   local s = assert(io.open(out .. "/mixed.summary", "w"))
   s:write(string.format("seconds %.2f\n", summary.duration / 1e6))
   s:write(string.format("requests %d\n", summary.requests))
   s:write(string.format("p50_ms %.2f\n", latency:percentile(50) / 1000))
   s:write(string.format("p99_ms %.2f\n", latency:percentile(99) / 1000))
   s:write(string.format("max_ms %.2f\n", latency.max / 1000))
   s:write(string.format("socket_errors %d\n", e.connect + e.read + e.write + e.timeout))
   s:write(string.format("socket_detail connect %d read %d write %d timeout %d\n", e.connect, e.read, e.write,
                         e.timeout))
   local n = 0
   for k, v in pairs(total_unexpected) do
      n = n + v
      s:write(string.format("unexpected_status %s %d\n", k, v))
   end
   s:write(string.format("unexpected %d\n", n + e.connect + e.read + e.write + e.timeout))
   for _, w in ipairs(weights) do
      s:write(string.format("sent %s %d\n", w[1], total_sent[w[1]] or 0))
   end
   for _, k in ipairs({ "read", "login", "create" }) do
      s:write(string.format("ok %s %d\n", k, total_ok[k]))
   end
   s:close()
end
