"""Framewright – Clip-cut current clip (DaVinci Resolve Studio, Python).

Cuts the media of the clip under the playhead (or, with no timeline clip there, the first clip
selected in the Media Pool) with the Framewright engine, imports the clip files into the
"Framewright" bin, builds a new timeline from the cut ranges and puts a marker on every cut.
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


def clip_cut(ctx):
    project = fw.current_project(ctx)
    pool = project.GetMediaPool()
    source = fw.source_clip(project, pool, "to cut")
    path = fw.media_path(source)
    exports = ["json", "edl", "fcp7", "otio", "clips"]
    result = fw.run_engine(
        "clip-cut",
        {"input": path, "exports": exports},
        ["clip-cut", path, "--out", fw.output_dir("clip-cut"), "--export", ",".join(exports), "--json"],
    )
    clips = result.get("clips") or []
    if not clips:
        raise fw.UserError("clip-cut found no frames in %s; nothing was changed." % path)

    name = fw.unique_timeline_name(project, "%s – Framewright cuts" % source.GetName())
    major = fw.resolve_major(ctx["resolve"])

    # Everything above only read the project; from here on it is changed.
    clip_files = [c["file"] for c in clips if isinstance(c.get("file"), str)]
    restore = fw.enter_bin(pool)
    try:
        if clip_files:
            pool.ImportMedia(clip_files)
        # Frame ranges of the source itself (frame-exact). clip-cut's endFrame is exclusive, as
        # Resolve 19+ reads clipInfo endFrame; Resolve 18 and earlier include the end frame.
        shift = 1 if 0 < major < 19 else 0
        infos = [{"mediaPoolItem": source, "startFrame": c["startFrame"], "endFrame": c["endFrame"] - shift} for c in clips]
        timeline = pool.CreateTimelineFromClips(name, infos)
    finally:
        restore()
    if not timeline:
        raise fw.UserError('Resolve could not create the timeline "%s" from the %d clips.' % (name, len(infos)))
    cuts = result.get("cuts") or []
    for i, cut in enumerate(cuts, start=1):
        note = "score %.3f; %s; %s" % (float(cut.get("score") or 0), ", ".join(cut.get("detectors") or []), cut.get("timecode", ""))
        timeline.AddMarker(cut["frame"], "Blue", "Cut %d" % i, note, 1, "framewright-cut-%d" % i)
    fw.show_message(
        ctx,
        "Framewright – Clip-cut",
        'Cut "%s" into %d clips. Timeline "%s" has a marker on each of the %d cuts; %d clip files are in the "%s" bin.'
        % (source.GetName(), len(clips), name, len(cuts), len(clip_files), fw.BIN_NAME),
    )


fw.run_script("Clip-cut current clip", globals(), clip_cut)
