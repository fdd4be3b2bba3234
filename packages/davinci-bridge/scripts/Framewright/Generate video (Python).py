"""Framewright – Generate video (DaVinci Resolve Studio, Python).

Asks for a prompt, runs the engine's text-to-video and imports the video into the "Framewright" bin.
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


def generate_video(ctx):
    project = fw.current_project(ctx)
    answer = fw.ask(ctx, "Framewright – Generate video", [
        {"name": "Prompt", "kind": "text", "lines": 3, "default": ""},
        {"name": "Frames", "kind": "integer", "default": 48, "min": 2, "max": 1000},
        {"name": "FPS", "kind": "integer", "default": 24, "min": 1, "max": 120},
        {"name": "Width", "kind": "integer", "default": 512, "min": 16, "max": 4096},
        {"name": "Height", "kind": "integer", "default": 288, "min": 16, "max": 4096},
        {"name": "Seed", "kind": "integer", "default": 0, "min": 0, "max": 999999},
    ])
    if answer is None:
        print("[Framewright] Generate video: cancelled; nothing was changed.")
        return
    prompt = fw.one_line(answer.get("Prompt"))
    if not prompt:
        raise fw.UserError("The prompt is empty; describe the video to generate.")
    params = {
        "mode": "text-to-video",
        "prompt": prompt,
        "frames": fw.integer(answer.get("Frames"), 48, 2, 1000),
        "fps": fw.integer(answer.get("FPS"), 24, 1, 120),
        "width": fw.integer(answer.get("Width"), 512, 16, 4096, 2),
        "height": fw.integer(answer.get("Height"), 288, 16, 4096, 2),
        "seed": fw.integer(answer.get("Seed"), 0, 0, 4294967295),
    }
    args = ["video-gen", "--mode", "text-to-video", "--prompt", prompt]
    for key in ("frames", "fps", "width", "height", "seed"):
        args += ["--" + key, str(params[key])]
    result = fw.run_engine("video-gen", params, args + ["--out", fw.output_dir("video-gen"), "--json"])
    path = result.get("path")
    if not isinstance(path, str):
        raise fw.UserError("video-gen finished but reported no video file; nothing was imported.")
    if not fw.import_into_bin(project.GetMediaPool(), [path]):
        raise fw.UserError("Resolve could not import %s." % path)
    fw.show_message(
        ctx,
        "Framewright – Generate video",
        'Generated %s frames at %s fps (%sx%s) and imported it into the "%s" bin:\n%s'
        % (result.get("frames"), result.get("fps"), result.get("width"), result.get("height"), fw.BIN_NAME, path),
    )


fw.run_script("Generate video", globals(), generate_video)
