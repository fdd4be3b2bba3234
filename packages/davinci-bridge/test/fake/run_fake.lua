-- Test runner: installs the fake Resolve objects, then runs a Framewright script as Resolve would.
-- Usage: lua run_fake.lua SCENARIO.json SCRIPT.lua
local scenario_path, script = arg[1], arg[2]
local here = (debug.getinfo(1, 'S').source or ''):match('^@(.*[/\\])') or './'
local json = dofile(here .. '../../scripts/Framewright/framewright_json.luainc')
local f = assert(io.open(scenario_path, 'rb'))
local scenario = assert(json.decode(f:read('*a')))
f:close()
dofile(here .. 'resolve_fake.lua').install(scenario, json)
dofile(script)
