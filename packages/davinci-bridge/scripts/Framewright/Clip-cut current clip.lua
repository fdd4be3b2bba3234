-- Framewright – Clip-cut current clip (DaVinci Resolve, Workspace > Scripts > Utility > Framewright).
-- Cuts the media of the clip under the playhead (or, with no timeline clip there, the first clip
-- selected in the Media Pool) with the Framewright engine, imports the clip files into the
-- "Framewright" bin, builds a new timeline from the cut ranges and puts a marker on every cut.
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

fw.run_script('Clip-cut current clip', function(ctx)
  local project = fw.current_project(ctx)
  local pool = project:GetMediaPool()
  local source = fw.source_clip(project, pool, 'to cut')
  local path = fw.media_path(source)
  local result = fw.run_engine(ctx, { 'clip-cut', path, '--out', fw.output_dir('clip-cut'),
    '--export', 'json,edl,fcp7,otio,clips', '--json' })
  if type(result.clips) ~= 'table' or #result.clips == 0 then
    fw.fail('clip-cut found no frames in ' .. path .. '; nothing was changed.')
  end

  local name = fw.unique_timeline_name(project, tostring(source:GetName()) .. ' – Framewright cuts')
  local major = fw.resolve_major(ctx.resolve)

  -- Everything above only read the project; from here on it is changed.
  local clip_files = {}
  for _, c in ipairs(result.clips) do
    if type(c.file) == 'string' then clip_files[#clip_files + 1] = c.file end
  end
  local restore = fw.enter_bin(pool)
  if #clip_files > 0 then pool:ImportMedia(clip_files) end
  -- The timeline uses frame ranges of the source itself (frame-exact, unlike stream-copied files).
  -- clip-cut's endFrame is exclusive, as Resolve 19+ reads clipInfo.endFrame; Resolve 18 and
  -- earlier read it as the last frame included.
  local inclusive_end = major > 0 and major < 19
  local infos = {}
  for i, c in ipairs(result.clips) do
    infos[i] = { mediaPoolItem = source, startFrame = c.startFrame, endFrame = inclusive_end and c.endFrame - 1 or c.endFrame }
  end
  local timeline = pool:CreateTimelineFromClips(name, infos)
  restore()
  if not timeline then fw.fail('Resolve could not create the timeline "' .. name .. '" from the ' .. #infos .. ' clips.') end
  for i, cut in ipairs(result.cuts or {}) do
    local detectors = type(cut.detectors) == 'table' and table.concat(cut.detectors, ', ') or ''
    timeline:AddMarker(cut.frame, 'Blue', 'Cut ' .. i, string.format('score %.3f; %s; %s', tonumber(cut.score) or 0,
      detectors, tostring(cut.timecode or '')), 1, 'framewright-cut-' .. i)
  end
  fw.show_message(ctx, 'Framewright – Clip-cut', string.format('Cut "%s" into %d clips. Timeline "%s" has a marker on each of the %d cuts; %d clip files are in the "%s" bin.',
    tostring(source:GetName()), #result.clips, name, #(result.cuts or {}), #clip_files, fw.BIN_NAME))
end)
