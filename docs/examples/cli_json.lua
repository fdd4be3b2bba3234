-- Calls the framewright CLI from Lua (Resolve's Lua has no sockets) and reads its --json answer.
-- Run: luajit docs/examples/cli_json.lua /path/to/talk.mp4 /path/to/cuts
-- Quoting here is for /bin/sh (Linux, macOS); the Resolve scripts also quote for cmd.exe.
local function sh_quote(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

local input = arg[1] or "talk.mp4"
local out = arg[2] or "cuts"
local cli = os.getenv("FRAMEWRIGHT_CLI") or "framewright"
local cmd = table.concat({ cli, "clip-cut", "--out", sh_quote(out), "--export", "edl", "--json", "--", sh_quote(input) }, " ")
local pipe = assert(io.popen(cmd .. " 2>/dev/null", "r"))
local text = pipe:read("*a")
pipe:close()
-- Without a JSON library, pick out what is needed; the Resolve scripts ship a full decoder.
if not text:find("^%s*{") then
  io.stderr:write("framewright gave no JSON: is it installed? (set FRAMEWRIGHT_CLI)\n")
  os.exit(1)
end
local err = text:match('"error"%s*:%s*{%s*"code"%s*:%s*"([%u_]+)"')
if err then
  io.stderr:write("framewright failed: " .. err .. "\n")
  os.exit(1)
end
local clips = 0
for _ in text:gmatch('"startFrame"') do clips = clips + 1 end
print(clips .. " clips")
