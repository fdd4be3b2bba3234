"""Test runner: builds the fake Resolve objects, then runs a Framewright script as Resolve would
(with resolve, fu, fusion and bmd as globals). Usage: python3 run_fake.py SCENARIO.json SCRIPT.py"""

import json
import os
import runpy
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from resolve_fake import FakeResolve  # noqa: E402

with open(sys.argv[1], encoding="utf-8") as f:
    fake = FakeResolve(json.load(f))
script = sys.argv[2]
sys.argv = [script]
runpy.run_path(script, init_globals=fake.script_globals(), run_name="__main__")
