-- Framewright – Generate image (DaVinci Resolve, Workspace > Scripts > Utility > Framewright).
-- Asks for a prompt, runs the engine's image-gen and imports the images into the "Framewright" bin.
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

fw.run_script('Generate image', function(ctx)
  local project = fw.current_project(ctx)
  local answer = fw.ask(ctx, 'Framewright – Generate image', {
    { name = 'Prompt', kind = 'text', lines = 3, default = '' },
    { name = 'Width', kind = 'integer', default = 512, min = 64, max = 2048 },
    { name = 'Height', kind = 'integer', default = 512, min = 64, max = 2048 },
    { name = 'Seed', kind = 'integer', default = 0, min = 0, max = 999999 },
  })
  if not answer then print('[Framewright] Generate image: cancelled; nothing was changed.') return end
  local prompt = fw.one_line(answer.Prompt)
  if prompt == '' then fw.fail('The prompt is empty; describe the image to generate.') end
  local result = fw.run_engine(ctx, { 'image-gen', '--prompt', prompt,
    '--width', tostring(fw.integer(answer.Width, 512, 64, 2048, 8)),
    '--height', tostring(fw.integer(answer.Height, 512, 64, 2048, 8)),
    '--seed', tostring(fw.integer(answer.Seed, 0, 0, 4294967295)),
    '--out', fw.output_dir('image-gen'), '--json' })
  local paths = {}
  for _, image in ipairs(type(result.images) == 'table' and result.images or {}) do
    if type(image.path) == 'string' then paths[#paths + 1] = image.path end
  end
  if #paths == 0 then fw.fail('image-gen finished but reported no image; nothing was imported.') end
  local items = fw.import_into_bin(project:GetMediaPool(), paths)
  if #items == 0 then fw.fail('Resolve could not import ' .. table.concat(paths, ', ') .. '.') end
  fw.show_message(ctx, 'Framewright – Generate image', string.format('%d image(s) generated and imported into the "%s" bin:\n%s',
    #items, fw.BIN_NAME, table.concat(paths, '\n')))
end)
