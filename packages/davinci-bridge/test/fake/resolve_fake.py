"""A fake of DaVinci Resolve's Python scripting objects (resolve, fu, bmd) for tests.

It mirrors the documented API (README of Resolve's Developer/Scripting folder, Fusion UIManager)
and appends one JSON line per call to the scenario's log, as the Lua fake does, so one test helper
reads both. Scenario: same shape as in resolve_fake.lua.
"""

import json
import os


class Recorder:
    def __init__(self, path):
        self.path = path

    def __call__(self, call, args):
        with open(self.path, "a", encoding="utf-8") as f:
            f.write(json.dumps({"call": call, "args": args}, default=ref, ensure_ascii=False) + "\n")


def ref(obj):
    """How a fake object appears in the log."""
    return getattr(obj, "fake_ref", "<%s>" % type(obj).__name__)


class Folder:
    def __init__(self, name):
        self.name, self.subfolders, self.clips = name, [], []
        self.fake_ref = {"folder": name}

    def GetName(self):
        return self.name

    def GetSubFolderList(self):
        return list(self.subfolders)

    def GetClipList(self):
        return list(self.clips)


class MediaPoolItem:
    def __init__(self, record, name, path):
        self.record, self.name, self.path = record, name, path
        self.fake_ref = {"mediaPoolItem": name}

    def GetName(self):
        return self.name

    def GetClipProperty(self, key=None):
        self.record("MediaPoolItem.GetClipProperty", [self.name, key])
        if key is None:
            return {"File Path": self.path, "Clip Name": self.name}
        return self.path if key == "File Path" else ""


class TimelineItem:
    def __init__(self, media):
        self.media = media
        self.fake_ref = {"timelineItem": media.name}

    def GetMediaPoolItem(self):
        return self.media


class Timeline:
    def __init__(self, record, name, current=None):
        self.record, self.name, self.current = record, name, current
        self.fake_ref = {"timeline": name}

    def GetName(self):
        return self.name

    def GetStartFrame(self):
        return 86400

    def GetCurrentVideoItem(self):
        self.record("Timeline.GetCurrentVideoItem", [self.name])
        return TimelineItem(self.current) if self.current else None

    def AddMarker(self, frame, color, name, note, duration, custom_data=""):
        self.record("Timeline.AddMarker", [self.name, frame, color, name, note, duration, custom_data])
        return True


class MediaPool:
    def __init__(self, fake):
        self.fake = fake

    def GetRootFolder(self):
        return self.fake.root

    def GetCurrentFolder(self):
        return self.fake.current_folder

    def SetCurrentFolder(self, folder):
        self.fake.record("MediaPool.SetCurrentFolder", [folder])
        self.fake.current_folder = folder
        return True

    def AddSubFolder(self, parent, name):
        self.fake.record("MediaPool.AddSubFolder", [parent, name])
        folder = Folder(name)
        parent.subfolders.append(folder)
        return folder

    def ImportMedia(self, paths):
        self.fake.record("MediaPool.ImportMedia", [paths, self.fake.current_folder])
        items = [MediaPoolItem(self.fake.record, p.replace("\\", "/").rsplit("/", 1)[-1], p) for p in paths]
        self.fake.current_folder.clips.extend(items)
        return items

    def GetSelectedClips(self):
        self.fake.record("MediaPool.GetSelectedClips", [])
        return [self.fake.items[n] for n in self.fake.scenario.get("selected") or []]

    def CreateTimelineFromClips(self, name, infos):
        self.fake.record("MediaPool.CreateTimelineFromClips", [name, infos, self.fake.current_folder])
        timeline = Timeline(self.fake.record, name)
        self.fake.timelines.append(timeline)
        self.fake.current_timeline = timeline
        return timeline

    def ImportTimelineFromFile(self, path, options=None):
        self.fake.record("MediaPool.ImportTimelineFromFile", [path, options, self.fake.current_folder])
        if not os.path.isfile(path):
            return None
        name = (options or {}).get("timelineName") or path.replace("\\", "/").rsplit("/", 1)[-1]
        timeline = Timeline(self.fake.record, name)
        self.fake.timelines.append(timeline)
        return timeline


class Project:
    def __init__(self, fake):
        self.fake, self.pool = fake, MediaPool(fake)

    def GetName(self):
        return "Fake project"

    def GetMediaPool(self):
        return self.pool

    def GetCurrentTimeline(self):
        self.fake.record("Project.GetCurrentTimeline", [])
        return self.fake.current_timeline

    def SetCurrentTimeline(self, timeline):
        self.fake.record("Project.SetCurrentTimeline", [timeline])
        self.fake.current_timeline = timeline
        return True

    def GetTimelineCount(self):
        return len(self.fake.timelines)

    def GetTimelineByIndex(self, i):
        return self.fake.timelines[i - 1]


class ProjectManager:
    def __init__(self, fake):
        self.fake = fake

    def GetCurrentProject(self):
        self.fake.record("ProjectManager.GetCurrentProject", [])
        return self.fake.project if self.fake.scenario.get("project") else None


class Resolve:
    fake_ref = {"resolve": True}

    def __init__(self, fake):
        self.fake = fake

    def GetProjectManager(self):
        return ProjectManager(self.fake)

    def GetVersion(self):
        return self.fake.scenario.get("version") or [19, 1, 3, 7, ""]

    def GetProductName(self):
        return "DaVinci Resolve"


class Auto:
    """win.On.<ID>.<Event> handler slots, created on first use."""

    def __getattr__(self, name):
        value = Auto()
        object.__setattr__(self, name, value)
        return value


class Element:
    def __init__(self, kind, *args):
        self.kind, self.args = kind, args

    def texts(self):
        found = []
        for a in self.args:
            if self.kind == "Label" and isinstance(a, dict):
                found.append(a.get("Text", ""))
            for child in a if isinstance(a, list) else []:
                if isinstance(child, Element):
                    found.extend(child.texts())
        return found


class UIManager:
    def __getattr__(self, kind):
        return lambda *args: Element(kind, *args)


class Window:
    def __init__(self, record, props, tree):
        self.record, self.props, self.tree, self.On = record, props, tree, Auto()

    def Show(self):
        self.record("UI.ShowWindow", [self.props.get("WindowTitle"), "\n".join(self.tree.texts())])

    def Hide(self):
        pass


class Dispatcher:
    def __init__(self, record, broken):
        self.record, self.running, self.window, self.broken = record, False, None, broken

    def AddWindow(self, props, tree):
        if self.broken:
            raise RuntimeError("UIManager is not available in this edition")
        self.window = Window(self.record, props, tree)
        return self.window

    def RunLoop(self):
        # The user reads the window and presses OK.
        self.running = True
        ok = self.window.On.__dict__.get("OK")
        if ok is not None and callable(ok.__dict__.get("Clicked")):
            ok.Clicked({"who": "OK"})
        if self.running:
            raise RuntimeError("fake UIDispatcher: RunLoop would never end (no OK handler)")

    def ExitLoop(self):
        self.running = False


class Fusion:
    def __init__(self, fake):
        self.fake = fake
        if fake.scenario.get("ui") in ("uimanager", "uimanager-broken"):
            self.UIManager = UIManager()

    def AskUser(self, title, controls):
        self.fake.record("Fusion.AskUser", [title, controls])
        return self.fake.scenario.get("answer")


class Bmd:
    def __init__(self, fake):
        self.fake = fake

    def scriptapp(self, name):
        return self.fake.resolve if name == "Resolve" else None

    def UIDispatcher(self, ui):
        return Dispatcher(self.fake.record, self.fake.scenario.get("ui") == "uimanager-broken")


class FakeResolve:
    """Everything a script sees, built from a scenario dict."""

    def __init__(self, scenario):
        self.scenario = scenario
        self.record = Recorder(scenario["log"])
        self.root = Folder("Master")
        self.current_folder = self.root
        self.items = {}
        for c in scenario.get("clips") or []:
            item = MediaPoolItem(self.record, c["name"], c.get("path") or "")
            self.items[c["name"]] = item
            self.root.clips.append(item)
        self.timelines = []
        self.current_timeline = None
        t = scenario.get("timeline")
        if t:
            self.current_timeline = Timeline(self.record, t["name"], self.items.get(t.get("currentClip")))
            self.timelines.append(self.current_timeline)
        self.project = Project(self)
        self.resolve = Resolve(self)

    def script_globals(self):
        ui = self.scenario.get("ui")
        g = {"resolve": self.resolve}
        if ui in ("askuser", "uimanager", "uimanager-broken"):
            g["fu"] = g["fusion"] = Fusion(self)
            g["bmd"] = Bmd(self)
        return g
