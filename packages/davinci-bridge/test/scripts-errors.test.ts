// Bad input in Resolve: every case ends in a clear message (message box or console) and the
// fake's log shows no call that would change the project. Each case runs under luajit, lua5.4
// and python3.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, fakeEngine, installedScripts, LUAS, runScript, scriptFile, tempDir, type Interpreter, type Scenario } from './helpers/harness.js';

const INTERPRETERS: Interpreter[] = [...LUAS, 'python3'];
let scripts: string;
let media: string;

beforeAll(async () => {
  scripts = await installedScripts();
  // The media checks only need a readable file; an engine never decodes it in these cases.
  media = join(tempDir(), 'shot one.mp4');
  writeFileSync(media, 'not really a video');
});

const withClip = (path: string): Scenario => ({
  project: true,
  ui: 'uimanager',
  clips: [{ name: 'shot one.mp4', path }],
  timeline: { name: 'Edit 1', currentClip: 'shot one.mp4' },
});

describe.each(INTERPRETERS)('Resolve scripts under %s: bad input', (interpreter) => {
  const clipCut = (): string => scriptFile(scripts, 'Clip-cut current clip', interpreter);
  const image = (): string => scriptFile(scripts, 'Generate image', interpreter);

  it('says that no project is open, and changes nothing', async () => {
    const run = await runScript(interpreter, clipCut(), { project: false, ui: 'uimanager' }, baseEnv(tempDir()));
    expect(run.messages).toEqual([expect.stringContaining('No project is open in DaVinci Resolve')]);
    expect(run.mutations).toEqual([]);
  });

  it('says there is no clip when no timeline clip is under the playhead and nothing is selected', async () => {
    const scenario: Scenario = { project: true, ui: 'uimanager', clips: [{ name: 'shot one.mp4', path: media }], timeline: { name: 'Edit 1', currentClip: null }, selected: [] };
    const run = await runScript(interpreter, clipCut(), scenario, baseEnv(tempDir()));
    expect(run.messages).toEqual([expect.stringContaining('There is no clip to cut')]);
    expect(run.mutations).toEqual([]);
  });

  it('says the media is offline (no timeline open, clip selected in the Media Pool)', async () => {
    const gone = join(tempDir(), 'moved away.mp4');
    const scenario: Scenario = { project: true, ui: 'uimanager', clips: [{ name: 'moved away.mp4', path: gone }], timeline: null, selected: ['moved away.mp4'] };
    const run = await runScript(interpreter, clipCut(), scenario, baseEnv(tempDir()));
    expect(run.messages).toEqual([`The media of the clip "moved away.mp4" is offline: ${gone} cannot be read. Relink it and run the script again.`]);
    expect(run.calls.map((c) => c.call)).toContain('MediaPool.GetSelectedClips');
    expect(run.mutations).toEqual([]);
  });

  it('says a clip without a media file cannot be cut', async () => {
    const run = await runScript(interpreter, clipCut(), withClip(''), baseEnv(tempDir()));
    expect(run.messages).toEqual([expect.stringContaining('has no media file')]);
    expect(run.mutations).toEqual([]);
  });

  it('says the engine is missing when it is on neither PATH nor a known folder', async () => {
    const run = await runScript(interpreter, clipCut(), withClip(media), baseEnv(tempDir()));
    expect(run.messages).toEqual([expect.stringContaining('The Framewright engine (the `framewright` command) was not found')]);
    expect(run.messages[0]).toContain('FRAMEWRIGHT_CLI');
    expect(run.mutations).toEqual([]);
  });

  it('names FRAMEWRIGHT_CLI when it points nowhere', async () => {
    const home = tempDir();
    const run = await runScript(interpreter, clipCut(), withClip(media), baseEnv(home, { FRAMEWRIGHT_CLI: join(home, 'no such engine') }));
    expect(run.messages).toEqual([`FRAMEWRIGHT_CLI is set to "${join(home, 'no such engine')}", but no file exists there.`]);
    expect(run.mutations).toEqual([]);
  });

  it('shows the engine error code and message (INPUT_NOT_FOUND)', async () => {
    const home = tempDir();
    const engine = fakeEngine(home, { stdout: '{"error":{"code":"INPUT_NOT_FOUND","message":"input not found: /x/y.mp4"}}\n', exitCode: 3 });
    const run = await runScript(interpreter, clipCut(), withClip(media), baseEnv(home, { FRAMEWRIGHT_CLI: engine.path }));
    expect(run.messages).toEqual(['clip-cut failed (INPUT_NOT_FOUND): input not found: /x/y.mp4']);
    expect(run.mutations).toEqual([]);
  });

  it('says an operation is unavailable in this engine (OPERATION_UNAVAILABLE)', async () => {
    const home = tempDir();
    const engine = fakeEngine(home, { stdout: '{"error":{"code":"OPERATION_UNAVAILABLE","message":"image-gen has no model installed"}}', exitCode: 4 });
    const scenario: Scenario = { project: true, ui: 'askuser', answer: { Prompt: 'a red fox', Width: 256, Height: 256, Seed: 1 } };
    const run = await runScript(interpreter, image(), scenario, baseEnv(home, { FRAMEWRIGHT_CLI: engine.path }));
    expect(run.messages).toEqual(['image-gen is not available in this Framewright engine: image-gen has no model installed']);
    expect(run.mutations).toEqual([]);
  });

  it('says an older engine has no such command', async () => {
    const home = tempDir();
    const engine = fakeEngine(home, { stdout: '', stderr: 'framewright: unknown command image-gen\n', exitCode: 2 });
    const scenario: Scenario = { project: true, ui: 'askuser', answer: { Prompt: 'a red fox', Width: 256, Height: 256, Seed: 1 } };
    const run = await runScript(interpreter, image(), scenario, baseEnv(home, { FRAMEWRIGHT_CLI: engine.path }));
    expect(run.messages).toEqual([
      'image-gen is not available in this Framewright engine: this Framewright engine has no "image-gen" command (framewright: unknown command image-gen)',
    ]);
    expect(run.mutations).toEqual([]);
  });

  it('says an engine that answers "unknown command" in JSON is older than the scripts', async () => {
    const home = tempDir();
    const reply = { error: { code: 'INVALID_PARAMS', message: 'unknown command "video-gen": commands are demo, clip-cut' } };
    const engine = fakeEngine(home, { stdout: JSON.stringify(reply), exitCode: 2 });
    const scenario: Scenario = { project: true, ui: 'askuser', answer: { Prompt: 'waves', Frames: 24, FPS: 24, Width: 320, Height: 180, Seed: 1 } };
    const run = await runScript(interpreter, scriptFile(scripts, 'Generate video', interpreter), scenario, baseEnv(home, { FRAMEWRIGHT_CLI: engine.path }));
    expect(run.messages).toEqual([
      'video-gen is not available in this Framewright engine: this Framewright engine has no "video-gen" command (unknown command "video-gen": commands are demo, clip-cut)',
    ]);
    expect(run.mutations).toEqual([]);
  });

  it('says when the engine answers with something that is not JSON', async () => {
    const home = tempDir();
    const engine = fakeEngine(home, { stdout: 'Segmentation fault\n', exitCode: 139 });
    const run = await runScript(interpreter, clipCut(), withClip(media), baseEnv(home, { FRAMEWRIGHT_CLI: engine.path }));
    expect(run.messages).toEqual(['clip-cut failed: the Framewright engine did not answer with JSON: Segmentation fault']);
    expect(run.mutations).toEqual([]);
  });

  it('does nothing when the prompt dialog is cancelled, and never starts the engine', async () => {
    const home = tempDir();
    const engine = fakeEngine(home, { stdout: '{}' });
    const run = await runScript(interpreter, image(), { project: true, ui: 'askuser', answer: null }, baseEnv(home, { FRAMEWRIGHT_CLI: engine.path }));
    expect(run.stdout).toContain('cancelled; nothing was changed');
    expect(run.messages).toEqual([]);
    expect(run.mutations).toEqual([]);
    expect(existsSync(engine.argvFile)).toBe(false);
  });

  it('refuses an empty prompt', async () => {
    const run = await runScript(interpreter, image(), { project: true, ui: 'askuser', answer: { Prompt: ' \n ', Width: 256, Height: 256, Seed: 0 } }, baseEnv(tempDir()));
    expect(run.messages).toEqual(['The prompt is empty; describe the image to generate.']);
    expect(run.mutations).toEqual([]);
  });

  it('falls back to a read-only AskUser box without (or with a refusing) UIManager, and to the console without Fusion', async () => {
    const viaAskUser = await runScript(interpreter, clipCut(), { project: false, ui: 'askuser' }, baseEnv(tempDir()));
    expect(viaAskUser.calls.map((c) => c.call)).toContain('Fusion.AskUser');
    expect(viaAskUser.messages).toEqual([expect.stringContaining('No project is open')]);
    const refused = await runScript(interpreter, clipCut(), { project: false, ui: 'uimanager-broken' }, baseEnv(tempDir()));
    expect(refused.calls.map((c) => c.call)).toEqual(['ProjectManager.GetCurrentProject', 'Fusion.AskUser']);
    expect(refused.messages).toEqual([expect.stringContaining('No project is open')]);
    const viaConsole = await runScript(interpreter, clipCut(), { project: false, ui: 'none' }, baseEnv(tempDir()));
    expect(viaConsole.messages).toEqual([]);
    expect(viaConsole.stdout).toContain('[Framewright] Framewright – Clip-cut current clip: No project is open in DaVinci Resolve.');
    expect(viaConsole.exitCode).toBe(0);
  });
});
