-- wrk script of bench figure (b): every request is `POST <url>` with the same JSON body, taken
-- from the environment variable WRK_BODY (the bench sets it). Extra headers (x-token) come from
-- wrk's -H options. No request()/response() hook: wrk builds the request once and reuses it, so
-- the generator spends no Lua time per request.
local body = os.getenv("WRK_BODY")
if body == nil or body == "" then
  error("WRK_BODY is not set: export the JSON body to POST, e.g. WRK_BODY='{\"type\":\"x\"}'")
end
wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/json"
