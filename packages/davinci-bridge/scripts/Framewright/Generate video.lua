-- Framewright – Generate video (DaVinci Resolve, Workspace > Scripts > Utility > Framewright).
-- Asks for a prompt, runs the engine's text-to-video and imports the video into the "Framewright" bin.
-- Loads the shared Framewright module that lives next to this script.
local function framewright_dir()
  local dir = (debug.getinfo(1, 'S').source or ''):match('^@(.*[/\\])')
  if dir then return dir end
  local windows = package.config:sub(1, 1) == '\\'
  local home = os.getenv(windows and 'APPDATA' or 'HOME') or ''
  local known = windows and { home .. '\\Blackmagic Design\\DaVinci Resolve\\Support\\Fusion\\Scripts\\Utility\\Framewright\\' }
    or { home .. '/.local/share/DaVinciResolve/Fusion/Scripts/Utility/Framewright/',
      home .. '/Library/Application Support/Blackmagic Design/DaVinci Resolve/Fusion/Scripts/Utility/Framewright/',
      '/opt/resolve/Fusion/Scripts/Utility/Framewright/' }
  for _, d in ipairs(known) do
    local f = io.open(d .. 'framewright_resolve.luainc', 'rb')
    if f then f:close() return d end
  end
  error('Framewright: framewright_resolve.luainc is missing next to this script; run `framewright resolve install` again.')
end
local fw_dir = framewright_dir()
local fw = assert(loadfile(fw_dir .. 'framewright_resolve.luainc'))(fw_dir)

fw.run_script('Generate video', function(ctx)
  local project = fw.current_project(ctx)
  local answer = fw.ask(ctx, 'Framewright – Generate video', {
    { name = 'Prompt', kind = 'text', lines = 3, default = '' },
    { name = 'Frames', kind = 'integer', default = 48, min = 2, max = 1000 },
    { name = 'FPS', kind = 'integer', default = 24, min = 1, max = 120 },
    { name = 'Width', kind = 'integer', default = 512, min = 16, max = 4096 },
    { name = 'Height', kind = 'integer', default = 288, min = 16, max = 4096 },
    { name = 'Seed', kind = 'integer', default = 0, min = 0, max = 999999 },
  })
  if not answer then print('[Framewright] Generate video: cancelled; nothing was changed.') return end
  local prompt = fw.one_line(answer.Prompt)
  if prompt == '' then fw.fail('The prompt is empty; describe the video to generate.') end
  local result = fw.run_engine(ctx, { 'video-gen', '--mode', 'text-to-video', '--prompt', prompt,
    '--frames', tostring(fw.integer(answer.Frames, 48, 2, 1000)),
    '--fps', tostring(fw.integer(answer.FPS, 24, 1, 120)),
    '--width', tostring(fw.integer(answer.Width, 512, 16, 4096, 2)),
    '--height', tostring(fw.integer(answer.Height, 288, 16, 4096, 2)),
    '--seed', tostring(fw.integer(answer.Seed, 0, 0, 4294967295)),
    '--out', fw.output_dir('video-gen'), '--json' })
  if type(result.path) ~= 'string' then fw.fail('video-gen finished but reported no video file; nothing was imported.') end
  local items = fw.import_into_bin(project:GetMediaPool(), { result.path })
  if #items == 0 then fw.fail('Resolve could not import ' .. result.path .. '.') end
  fw.show_message(ctx, 'Framewright – Generate video', string.format('Generated %s frames at %s fps (%sx%s) and imported it into the "%s" bin:\n%s',
    tostring(result.frames), tostring(result.fps), tostring(result.width), tostring(result.height), fw.BIN_NAME, result.path))
end)
