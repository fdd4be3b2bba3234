"""Framewright – Remove silences (DaVinci Resolve Studio, Python).

Tightens the media of the clip under the playhead (or, with no timeline clip there, the first clip
selected in the Media Pool): the Framewright engine keeps its loud parts (auto-editor's default
edit: threshold 0.04, 0.2 s margins) and writes them as an edited timeline (FCPXML), which is
imported as a new timeline of the source's own frames, video and audio linked.
"""
import importlib.machinery
import importlib.util
import os
import sys


def _load_framewright():
    """Loads framewright_resolve.pyinc from this script's folder (or the usual install folders)."""
    here = globals().get("__file__") or (sys.argv[0] if sys.argv and sys.argv[0] else "")
    folders = [os.path.dirname(os.path.abspath(here))] if here else []
    if sys.platform == "win32":
        folders.append(os.path.join(os.environ.get("APPDATA", ""), "Blackmagic Design", "DaVinci Resolve", "Support", "Fusion", "Scripts", "Utility", "Framewright"))
    else:
        home = os.path.expanduser("~")
        folders.append(os.path.join(home, ".local", "share", "DaVinciResolve", "Fusion", "Scripts", "Utility", "Framewright"))
        folders.append(os.path.join(home, "Library", "Application Support", "Blackmagic Design", "DaVinci Resolve", "Fusion", "Scripts", "Utility", "Framewright"))
    for folder in folders:
        path = os.path.join(folder, "framewright_resolve.pyinc")
        if os.path.isfile(path):
            loader = importlib.machinery.SourceFileLoader("framewright_resolve", path)
            module = importlib.util.module_from_spec(importlib.util.spec_from_loader("framewright_resolve", loader))
            # No __pycache__ in the user's Scripts folder: uninstall must leave it as it was.
            writes_bytecode, sys.dont_write_bytecode = sys.dont_write_bytecode, True
            try:
                loader.exec_module(module)
            finally:
                sys.dont_write_bytecode = writes_bytecode
            return module
    raise RuntimeError("Framewright: framewright_resolve.pyinc is missing next to this script; run `framewright resolve install` again.")


fw = _load_framewright()


def remove_silences(ctx):
    project = fw.current_project(ctx)
    pool = project.GetMediaPool()
    source = fw.source_clip(project, pool, "to tighten")
    path = fw.media_path(source)
    # Only the kept ranges matter here, so the shot analysis runs its cheapest detector.
    exports = ["json", "fcpxml"]
    result = fw.run_engine(
        "clip-cut",
        {"input": path, "remove": ["silence"], "detectors": ["content"], "exports": exports},
        ["clip-cut", path, "--out", fw.output_dir("remove-silences"), "--remove", "silence", "--detectors", "content", "--export", ",".join(exports), "--json"],
    )
    kept = result.get("kept") or []
    xml = (result.get("outputs") or {}).get("fcpxml")
    if not kept or not isinstance(xml, str):
        raise fw.UserError("Nothing in %s is loud enough to keep; nothing was changed." % path)

    name = fw.unique_timeline_name(project, "%s – silences removed" % source.GetName())
    # Everything above only read the project; from here on it is changed.
    restore = fw.enter_bin(pool)
    try:
        # The source is in the Media Pool already: the timeline uses it rather than importing it again.
        timeline = pool.ImportTimelineFromFile(xml, {"timelineName": name, "importSourceClips": False})
    finally:
        restore()
    if not timeline:
        raise fw.UserError("Resolve could not import the edited timeline %s." % xml)
    project.SetCurrentTimeline(timeline)
    fw.show_message(
        ctx,
        "Framewright – Remove silences",
        'Timeline "%s" keeps %d parts of "%s": %.1f s of %.1f s (%.1f s of silence removed).'
        % (name, len(kept), source.GetName(), float(result.get("keptSeconds") or 0), float(result.get("durationSeconds") or 0), float(result.get("removedSeconds") or 0)),
    )


fw.run_script("Remove silences", globals(), remove_silences)
