"""Calls `framewright serve` over HTTP from Python (standard library only): submit a job, poll it.

Run: python3 docs/examples/http_client.py /abs/path/talk.mp4
The token is read from FRAMEWRIGHT_TOKEN, else from the token file that `framewright doctor` shows
(pass its path as FRAMEWRIGHT_TOKEN_FILE). test/docs-commands.test.ts runs this file against a
real server.
"""
import json
import os
import sys
import time
import urllib.error
import urllib.request

BASE = os.environ.get("FRAMEWRIGHT_URL", "http://127.0.0.1:7878")


def token():
    if os.environ.get("FRAMEWRIGHT_TOKEN"):
        return os.environ["FRAMEWRIGHT_TOKEN"]
    path = os.environ.get("FRAMEWRIGHT_TOKEN_FILE", os.path.expanduser("~/.config/framewright/token"))
    with open(path, encoding="utf-8") as f:
        return f.read().strip()


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(BASE + path, data=data, method=method)
    req.add_header("Authorization", "Bearer " + token())
    req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=30) as res:
            return json.load(res)
    except urllib.error.HTTPError as e:
        # Every error body is {"error": {"code", "message", "pointer"?}}; 401 is a wrong token.
        err = json.load(e).get("error", {})
        raise SystemExit("framewright: HTTP %d %s: %s" % (e.code, err.get("code"), err.get("message")))


def main():
    video = sys.argv[1] if len(sys.argv) > 1 else "/videos/talk.mp4"
    job = call("POST", "/v1/jobs", {"op": "clip-cut", "params": {"input": video, "exports": ["edl", "otio"]}})
    while job["state"] in ("queued", "running"):
        time.sleep(0.25)
        job = call("GET", "/v1/jobs/" + job["id"])
    if job["state"] != "succeeded":
        raise SystemExit("framewright: job %s: %s" % (job["state"], job.get("error", {}).get("message")))
    result = job["result"]
    print("%d clips" % len(result["clips"]))
    for path in result["files"]:
        print(path)


if __name__ == "__main__":
    main()
