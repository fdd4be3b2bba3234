-- A fake of DaVinci Resolve's Lua scripting objects (resolve, fu, bmd) for tests. It mirrors the
-- documented API (README of Resolve's Developer/Scripting folder, Fusion UIManager) and appends one
-- JSON line per call to the scenario's log, so a test can see exactly what a script did.
--
-- Scenario (decoded JSON): { log, version, project = bool, timeline = {name, currentClip} | nil,
--   clips = [{name, path}], selected = [names], answer = {..}|nil,
--   ui = 'uimanager'|'uimanager-broken' (AddWindow fails)|'askuser'|'none' }

local fake = {}

local function encode(v)
  local t = type(v)
  if t == 'nil' then return 'null' end
  if t == 'boolean' then return tostring(v) end
  if t == 'number' then
    if v ~= v or v == math.huge or v == -math.huge then return 'null' end
    if math.floor(v) == v and math.abs(v) < 2 ^ 53 then return string.format('%d', v) end
    return string.format('%.17g', v)
  end
  if t == 'string' then
    return '"' .. v:gsub('[%c"\\]', function(c)
      if c == '"' then return '\\"' end
      if c == '\\' then return '\\\\' end
      return string.format('\\u%04x', c:byte())
    end) .. '"'
  end
  if t == 'table' then
    if v.__fake_ref then return encode(v.__fake_ref) end
    local n = 0
    for _ in pairs(v) do n = n + 1 end
    if n == #v then
      local parts = {}
      for i = 1, #v do parts[i] = encode(v[i]) end
      return '[' .. table.concat(parts, ',') .. ']'
    end
    local parts = {}
    for k, val in pairs(v) do
      if type(val) ~= 'function' then parts[#parts + 1] = encode(tostring(k)) .. ':' .. encode(val) end
    end
    return '{' .. table.concat(parts, ',') .. '}'
  end
  return '"<' .. t .. '>"'
end

fake.encode = encode

function fake.install(scenario, json)
  local log = assert(io.open(scenario.log, 'a'))
  local function record(call, args)
    log:write('{"call":', encode(call), ',"args":', encode(args), '}\n')
    log:flush()
  end
  local function null_to_nil(v) if v == json.null then return nil end return v end

  local function folder(name)
    return { __fake_ref = { folder = name }, name = name, subfolders = {}, clips = {},
      GetName = function(self) return self.name end,
      GetSubFolderList = function(self) record('Folder.GetSubFolderList', { self.name }) return self.subfolders end,
      GetClipList = function(self) return self.clips end }
  end

  local function media_item(name, path)
    return { __fake_ref = { mediaPoolItem = name }, name = name, path = path,
      GetName = function(self) return self.name end,
      GetClipProperty = function(self, key)
        record('MediaPoolItem.GetClipProperty', { self.name, key })
        if key == 'File Path' then return self.path end
        if key == nil then return { ['File Path'] = self.path, ['Clip Name'] = self.name } end
        return ''
      end }
  end

  local root = folder('Master')
  local items = {}
  for _, c in ipairs(scenario.clips or {}) do
    local item = media_item(c.name, null_to_nil(c.path) or '')
    items[c.name] = item
    root.clips[#root.clips + 1] = item
  end
  local current_folder = root

  local timelines = {}
  local function timeline(name, current_clip)
    local t = { __fake_ref = { timeline = name }, name = name }
    function t:GetName() return self.name end
    function t:GetCurrentVideoItem()
      record('Timeline.GetCurrentVideoItem', { self.name })
      local media = current_clip and items[current_clip]
      if not media then return nil end
      return { __fake_ref = { timelineItem = current_clip },
        GetName = function() return current_clip end,
        GetMediaPoolItem = function() return media end }
    end
    function t:GetStartFrame() return 86400 end
    function t:AddMarker(frame, color, mname, note, duration, custom)
      record('Timeline.AddMarker', { self.name, frame, color, mname, note, duration, custom })
      return true
    end
    timelines[#timelines + 1] = t
    return t
  end
  local current_timeline = scenario.timeline and scenario.timeline ~= json.null
    and timeline(scenario.timeline.name, null_to_nil(scenario.timeline.currentClip)) or nil

  local pool = {}
  function pool:GetRootFolder() return root end
  function pool:GetCurrentFolder() return current_folder end
  function pool:SetCurrentFolder(f) record('MediaPool.SetCurrentFolder', { f }) current_folder = f return true end
  function pool:AddSubFolder(parent, name)
    record('MediaPool.AddSubFolder', { parent, name })
    local f = folder(name)
    parent.subfolders[#parent.subfolders + 1] = f
    return f
  end
  function pool:ImportMedia(paths)
    record('MediaPool.ImportMedia', { paths, current_folder })
    local created = {}
    for i, p in ipairs(paths) do
      local item = media_item(p:match('[^/\\]+$'), p)
      created[i] = item
      current_folder.clips[#current_folder.clips + 1] = item
    end
    return created
  end
  function pool:GetSelectedClips()
    record('MediaPool.GetSelectedClips', {})
    local list = {}
    for _, n in ipairs(scenario.selected or {}) do list[#list + 1] = items[n] end
    return list
  end
  function pool:CreateTimelineFromClips(name, infos)
    record('MediaPool.CreateTimelineFromClips', { name, infos, current_folder })
    local t = timeline(name, nil)
    current_timeline = t
    return t
  end

  function pool:ImportTimelineFromFile(path, options)
    record('MediaPool.ImportTimelineFromFile', { path, options, current_folder })
    local f = io.open(path, 'rb')
    if not f then return nil end
    f:close()
    local t = timeline(options and options.timelineName or path:match('[^/\\]+$'), nil)
    return t
  end

  local project = {}
  function project:GetName() return 'Fake project' end
  function project:SetCurrentTimeline(t)
    record('Project.SetCurrentTimeline', { t })
    current_timeline = t
    return true
  end
  function project:GetMediaPool() return pool end
  function project:GetCurrentTimeline() record('Project.GetCurrentTimeline', {}) return current_timeline end
  function project:GetTimelineCount() return #timelines end
  function project:GetTimelineByIndex(i) return timelines[i] end

  local resolve = { __fake_ref = { resolve = true } }
  function resolve:GetProjectManager()
    return { GetCurrentProject = function()
      record('ProjectManager.GetCurrentProject', {})
      if scenario.project then return project end
      return nil
    end }
  end
  function resolve:GetVersion() return scenario.version or { 19, 1, 3, 7, '' } end
  function resolve:GetProductName() return 'DaVinci Resolve' end

  local fu = {}
  local broken_ui = scenario.ui == 'uimanager-broken'
  if scenario.ui == 'askuser' or scenario.ui == 'uimanager' or broken_ui then
    function fu:AskUser(title, controls)
      record('Fusion.AskUser', { title, controls })
      return null_to_nil(scenario.answer)
    end
  end
  local bmd = { scriptapp = function(name) if name == 'Resolve' then return resolve end end }
  if scenario.ui == 'uimanager' or broken_ui then
    local ui = {}
    for _, kind in ipairs({ 'VGroup', 'HGroup', 'Label', 'Button', 'LineEdit', 'TextEdit' }) do
      ui[kind] = function(self, props) return { kind = kind, props = props } end
    end
    function ui:HGap(a, b) return { kind = 'HGap', props = { a, b } } end
    fu.UIManager = ui
    function bmd.UIDispatcher(u)
      local disp = { running = false }
      local function auto() return setmetatable({}, { __index = function(t, k) local v = {} rawset(t, k, v) return v end }) end
      function disp:AddWindow(props, tree)
        if broken_ui then error('UIManager is not available in this edition') end
        local win = { On = auto() }
        function win:Show()
          local texts = {}
          local function walk(node)
            if type(node) ~= 'table' then return end
            if node.kind == 'Label' then texts[#texts + 1] = node.props.Text end
            for _, child in ipairs(node.props or {}) do walk(child) end
          end
          walk(tree)
          record('UI.ShowWindow', { props.WindowTitle, table.concat(texts, '\n') })
        end
        function win:Hide() end
        disp.window = win
        return win
      end
      function disp:RunLoop()
        -- The user reads the window and presses OK.
        self.running = true
        local ok = rawget(self.window.On, 'OK')
        if ok and ok.Clicked then ok.Clicked({ who = 'OK' }) end
        if self.running then error('fake UIDispatcher: RunLoop would never end (no OK handler)') end
      end
      function disp:ExitLoop() self.running = false end
      return disp
    end
  end

  _G.Resolve = function() return resolve end
  _G.bmd = bmd
  _G.fu = scenario.ui ~= 'none' and fu or nil
  return fake
end

return fake
