"""Framewright – Generate image (DaVinci Resolve Studio, Python).

Asks for a prompt, runs the engine's image-gen and imports the images into the "Framewright" bin.
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


def generate_image(ctx):
    project = fw.current_project(ctx)
    answer = fw.ask(ctx, "Framewright – Generate image", [
        {"name": "Prompt", "kind": "text", "lines": 3, "default": ""},
        {"name": "Width", "kind": "integer", "default": 512, "min": 64, "max": 2048},
        {"name": "Height", "kind": "integer", "default": 512, "min": 64, "max": 2048},
        {"name": "Seed", "kind": "integer", "default": 0, "min": 0, "max": 999999},
    ])
    if answer is None:
        print("[Framewright] Generate image: cancelled; nothing was changed.")
        return
    prompt = fw.one_line(answer.get("Prompt"))
    if not prompt:
        raise fw.UserError("The prompt is empty; describe the image to generate.")
    width = fw.integer(answer.get("Width"), 512, 64, 2048, 8)
    height = fw.integer(answer.get("Height"), 512, 64, 2048, 8)
    seed = fw.integer(answer.get("Seed"), 0, 0, 4294967295)
    out = fw.output_dir("image-gen")
    result = fw.run_engine(
        "image-gen",
        {"prompt": prompt, "width": width, "height": height, "seed": seed},
        ["image-gen", "--prompt", prompt, "--width", str(width), "--height", str(height), "--seed", str(seed), "--out", out, "--json"],
    )
    paths = [i["path"] for i in result.get("images") or [] if isinstance(i.get("path"), str)]
    if not paths:
        raise fw.UserError("image-gen finished but reported no image; nothing was imported.")
    items = fw.import_into_bin(project.GetMediaPool(), paths)
    if not items:
        raise fw.UserError("Resolve could not import %s." % ", ".join(paths))
    fw.show_message(ctx, "Framewright – Generate image", '%d image(s) generated and imported into the "%s" bin:\n%s' % (len(items), fw.BIN_NAME, "\n".join(paths)))


fw.run_script("Generate image", globals(), generate_image)
