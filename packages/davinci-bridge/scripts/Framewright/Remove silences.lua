-- Framewright – Remove silences (DaVinci Resolve, Workspace > Scripts > Utility > Framewright).
-- Tightens the media of the clip under the playhead (or, with no timeline clip there, the first
-- clip selected in the Media Pool): the Framewright engine keeps its loud parts (auto-editor's
-- default edit: threshold 0.04, 0.2 s margins) and writes them as an edited timeline (FCPXML),
-- which is imported as a new timeline of the source's own frames, video and audio linked.
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

fw.run_script('Remove silences', function(ctx)
  local project = fw.current_project(ctx)
  local pool = project:GetMediaPool()
  local source = fw.source_clip(project, pool, 'to tighten')
  local path = fw.media_path(source)
  -- Only the kept ranges matter here, so the shot analysis runs its cheapest detector.
  local result = fw.run_engine(ctx, { 'clip-cut', path, '--out', fw.output_dir('remove-silences'),
    '--remove', 'silence', '--detectors', 'content', '--export', 'json,fcpxml', '--json' })
  local outputs = type(result.outputs) == 'table' and result.outputs or {}
  if type(result.kept) ~= 'table' or #result.kept == 0 or type(outputs.fcpxml) ~= 'string' then
    fw.fail('Nothing in ' .. path .. ' is loud enough to keep; nothing was changed.')
  end

  local name = fw.unique_timeline_name(project, tostring(source:GetName()) .. ' – silences removed')
  -- Everything above only read the project; from here on it is changed.
  local restore = fw.enter_bin(pool)
  -- The source is in the Media Pool already: the timeline uses it rather than importing it again.
  local timeline = pool:ImportTimelineFromFile(outputs.fcpxml, { timelineName = name, importSourceClips = false })
  restore()
  if not timeline then fw.fail('Resolve could not import the edited timeline ' .. outputs.fcpxml .. '.') end
  project:SetCurrentTimeline(timeline)
  fw.show_message(ctx, 'Framewright – Remove silences', string.format('Timeline "%s" keeps %d parts of "%s": %.1f s of %.1f s (%.1f s of silence removed).',
    name, #result.kept, tostring(source:GetName()), tonumber(result.keptSeconds) or 0, tonumber(result.durationSeconds) or 0, tonumber(result.removedSeconds) or 0))
end)
