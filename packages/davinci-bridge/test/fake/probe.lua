-- Test probe for the shared Lua modules. Usage: lua probe.lua MODE < input
--   json:   decodes stdin and prints the value re-encoded as JSON, or "ERROR <message>"
--   find:   prints engine.find(KIND) for KIND = arg[2] ('posix' or 'windows') as JSON
--   quote:  stdin is a JSON list of strings; prints {posix=[...], cmd=[...], sh=<argv seen by a
--           program run through io.popen with POSIX quoting>}
local here = (debug.getinfo(1, 'S').source or ''):match('^@(.*[/\\])') or './'
local json = dofile(here .. '../../scripts/Framewright/framewright_json.luainc')
local engine = dofile(here .. '../../scripts/Framewright/framewright_engine.luainc')
local encode = dofile(here .. 'resolve_fake.lua').encode
local mode, input = arg[1], io.read('*a')

if mode == 'json' then
  local value, err = json.decode(input)
  if err then io.write('ERROR ', err) return end
  local function plain(v) -- json.null becomes a string marker so the test can see it
    if v == json.null then return '<null>' end
    if type(v) == 'table' then
      local t = {}
      for k, x in pairs(v) do t[k] = plain(x) end
      return t
    end
    return v
  end
  io.write(encode(plain(value)))
  return
end

if mode == 'find' then -- prints the engine argv found for shell kind arg[2], or the message
  local argv, err = engine.find(arg[2])
  io.write(encode(argv or { error = err }))
  return
end

local strings = assert(json.decode(input))
local out = { posix = {}, cmd = {} }
for i, s in ipairs(strings) do
  out.posix[i] = engine.quote_posix(s)
  local quoted, err = engine.quote_cmd(s)
  out.cmd[i] = quoted or ('ERROR ' .. err)
end
local batch = { 'C:\\Users\\Ana\\AppData\\Roaming\\npm\\framewright.cmd' }
for _, s in ipairs(strings) do batch[#batch + 1] = s end
out.batch_line, out.batch_error = engine.command_line(batch, 'windows')
out.windows_line = engine.command_line(strings, 'windows', 'C:\\Temp\\fw err.txt') or json.null
local argv = { 'python3', '-c', 'import json, sys; sys.stdout.write(json.dumps(sys.argv[1:]))' }
for _, s in ipairs(strings) do argv[#argv + 1] = s end
local pipe = assert(io.popen(assert(engine.command_line(argv, 'posix')), 'r'))
out.sh = pipe:read('*a')
pipe:close()
io.write(encode(out))
