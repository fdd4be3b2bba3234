// "Remove silences" under luajit, lua5.4 and python3 with the REAL engine: the recording's loud
// parts come back as an edited timeline (FCPXML) that the fake Resolve imports as a new timeline of
// the source's frames, made current.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseFcpXml } from '../../core/test/helpers/cut-list-readers.js';
import { baseEnv, installedScripts, LUAS, realEngine, runScript, scriptFile, tempDir, type LoggedCall } from './helpers/harness.js';

const CLIP_NAME = "talk 'one'.mkv";
let scripts: string;
let recording: string;
let engine: string;

beforeAll(async () => {
  scripts = await installedScripts();
  const dir = join(tempDir(), 'Rushes día 1');
  mkdirSync(dir);
  recording = join(dir, CLIP_NAME);
  // 4 s at 25 fps: a tone for 1 s, 2 s of silence, a tone again: frames 0-30 and 70-100 are kept.
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=25:d=4',
    '-f', 'lavfi', '-i', "aevalsrc='(lt(t,1)+gte(t,3))*0.5*sin(2*PI*440*t)':s=48000:d=4",
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'pcm_s16le', '-shortest', recording]);
  engine = realEngine(tempDir());
});

const only = (calls: LoggedCall[], name: string): LoggedCall[] => calls.filter((c) => c.call === name);

describe.each([...LUAS, 'python3' as const])('Remove silences under %s with the real engine', (interpreter) => {
  it('imports the edited timeline of the clip under the playhead and makes it current', async () => {
    const home = tempDir();
    const run = await runScript(
      interpreter,
      scriptFile(scripts, 'Remove silences', interpreter),
      { project: true, ui: 'uimanager', clips: [{ name: CLIP_NAME, path: recording }], timeline: { name: 'Edit 1', currentClip: CLIP_NAME } },
      baseEnv(home, { FRAMEWRIGHT_CLI: engine }),
      110_000,
    );
    expect(run.stderr).not.toMatch(/Traceback|stack traceback/);
    const [imported, ...more] = only(run.calls, 'MediaPool.ImportTimelineFromFile');
    expect(more).toEqual([]);
    const [xmlPath, options, folder] = imported!.args as [string, unknown, unknown];
    expect(xmlPath.startsWith(join(home, 'out', 'Resolve', 'remove-silences-'))).toBe(true);
    expect(xmlPath.endsWith('.fcpxml')).toBe(true);
    expect(existsSync(xmlPath)).toBe(true);
    expect(parseFcpXml(readFileSync(xmlPath, 'utf8'))).toEqual([{ startFrame: 0, endFrame: 30 }, { startFrame: 70, endFrame: 100 }]);
    expect(options).toEqual({ timelineName: `${CLIP_NAME} – silences removed`, importSourceClips: false });
    expect(folder).toEqual({ folder: 'Framewright' });
    expect(only(run.calls, 'Project.SetCurrentTimeline').map((c) => c.args)).toEqual([[{ timeline: `${CLIP_NAME} – silences removed` }]]);
    expect(only(run.calls, 'MediaPool.SetCurrentFolder').at(-1)!.args).toEqual([{ folder: 'Master' }]);
    expect(run.messages).toEqual([`Timeline "${CLIP_NAME} – silences removed" keeps 2 parts of "${CLIP_NAME}": 2.4 s of 4.0 s (1.6 s of silence removed).`]);
  }, 120_000);

  it('says so and changes nothing when the clip is silent throughout', async () => {
    const home = tempDir();
    const silent = join(tempDir(), 'silent.mkv');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=160x90:r=25:d=1', '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'pcm_s16le', '-shortest', silent]);
    const run = await runScript(
      interpreter,
      scriptFile(scripts, 'Remove silences', interpreter),
      { project: true, ui: 'uimanager', clips: [{ name: 'silent.mkv', path: silent }], timeline: { name: 'Edit 1', currentClip: 'silent.mkv' } },
      baseEnv(home, { FRAMEWRIGHT_CLI: engine }),
      110_000,
    );
    expect(run.messages).toEqual([`Nothing in ${silent} is loud enough to keep; nothing was changed.`]);
    expect(run.mutations).toEqual([]);
  }, 120_000);
});
