// Generate image / Generate video: the prompt from the dialog reaches the engine byte for byte
// (POSIX quoting in Lua, list arguments in Python), and the results land in the Framewright bin.
// The engine here is a stand-in that records its argv: image-gen and video-gen are not in the
// engine yet (issues 4 and 5), and the point is what the scripts pass and do with the answer.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, fakeEngine, installedScripts, LUAS, runScript, scriptFile, tempDir, type Interpreter } from './helpers/harness.js';

const INTERPRETERS: Interpreter[] = [...LUAS, 'python3'];
const PROMPT = `It's a "test" of $HOME, \`id\`, $(id), %PATH% & ^ ! <> | ; ünïcødé 日本 🎬`;
let scripts: string;

beforeAll(async () => {
  scripts = await installedScripts();
});

describe.each(INTERPRETERS)('Generate scripts under %s', (interpreter) => {
  it('passes the prompt intact to image-gen and imports the images into a new Framewright bin', async () => {
    const home = tempDir();
    const image = join(home, `fox "1".png`);
    writeFileSync(image, 'png');
    const reply = { model: 'builtin', images: [{ path: image, width: 248, height: 128, seed: 7 }], warnings: [], files: [image] };
    const engine = fakeEngine(home, { stdout: JSON.stringify(reply) });
    const run = await runScript(
      interpreter,
      scriptFile(scripts, 'Generate image', interpreter),
      { project: true, ui: 'uimanager', answer: { Prompt: `${PROMPT}\r\nsecond line`, Width: 250, Height: 130, Seed: 7 } },
      baseEnv(home, { FRAMEWRIGHT_CLI: engine.path }),
    );
    const argv = JSON.parse(readFileSync(engine.argvFile, 'utf8')) as string[];
    expect(argv.slice(0, 9)).toEqual(['image-gen', '--prompt', `${PROMPT} second line`, '--width', '248', '--height', '128', '--seed', '7']);
    expect(argv[9]).toBe('--out');
    expect(argv[10]!.startsWith(join(home, 'out', 'Resolve', 'image-gen-'))).toBe(true);
    expect(argv.slice(11)).toEqual(['--json']);

    expect(run.mutations.map((c) => c.call)).toEqual([
      'MediaPool.AddSubFolder',
      'MediaPool.SetCurrentFolder',
      'MediaPool.ImportMedia',
      'MediaPool.SetCurrentFolder',
    ]);
    expect(run.mutations[2]!.args).toEqual([[image], { folder: 'Framewright' }]);
    expect(run.mutations[3]!.args).toEqual([{ folder: 'Master' }]);
    expect(run.messages).toEqual([`1 image(s) generated and imported into the "Framewright" bin:\n${image}`]);
  });

  it('asks for the prompt and sizes in one AskUser dialog', async () => {
    const run = await runScript(interpreter, scriptFile(scripts, 'Generate image', interpreter), { project: true, ui: 'askuser', answer: null }, baseEnv(tempDir()));
    const [dialog] = run.calls.filter((c) => c.call === 'Fusion.AskUser');
    expect(dialog!.args[0]).toBe('Framewright – Generate image');
    const controls = Object.values(dialog!.args[1] as Record<string, Record<string, unknown>>);
    expect(controls.map((c) => [c['1'], c['2']])).toEqual([
      ['Prompt', 'Text'],
      ['Width', 'Slider'],
      ['Height', 'Slider'],
      ['Seed', 'Slider'],
    ]);
  });

  it('runs text-to-video with the dialog values and imports the video', async () => {
    const home = tempDir();
    const video = join(home, 'waves.mp4');
    writeFileSync(video, 'mp4');
    const reply = { path: video, frames: 24, fps: 12, width: 320, height: 180, durationSeconds: 2, warnings: [], files: [video] };
    const engine = fakeEngine(home, { stdout: JSON.stringify(reply) });
    const run = await runScript(
      interpreter,
      scriptFile(scripts, 'Generate video', interpreter),
      { project: true, ui: 'askuser', answer: { Prompt: 'waves at dusk', Frames: 24, FPS: 12, Width: 321, Height: 180, Seed: 3 } },
      baseEnv(home, { FRAMEWRIGHT_CLI: engine.path }),
    );
    const argv = JSON.parse(readFileSync(engine.argvFile, 'utf8')) as string[];
    expect(argv.slice(0, 15)).toEqual([
      'video-gen', '--mode', 'text-to-video', '--prompt', 'waves at dusk',
      '--frames', '24', '--fps', '12', '--width', '322', '--height', '180', '--seed', '3',
    ]);
    expect(argv.at(-1)).toBe('--json');
    const imported = run.mutations.find((c) => c.call === 'MediaPool.ImportMedia');
    expect(imported!.args).toEqual([[video], { folder: 'Framewright' }]);
    expect(run.messages).toEqual([`Generated 24 frames at 12 fps (320x180) and imported it into the "Framewright" bin:\n${video}`]);
  });

  it('says so when the engine reports no image, and imports nothing', async () => {
    const home = tempDir();
    const engine = fakeEngine(home, { stdout: JSON.stringify({ model: 'builtin', images: [], warnings: [], files: [] }) });
    const run = await runScript(
      interpreter,
      scriptFile(scripts, 'Generate image', interpreter),
      { project: true, ui: 'uimanager', answer: { Prompt: 'fox', Width: 64, Height: 64, Seed: 0 } },
      baseEnv(home, { FRAMEWRIGHT_CLI: engine.path }),
    );
    expect(run.messages).toEqual(['image-gen finished but reported no image; nothing was imported.']);
    expect(run.mutations).toEqual([]);
  });
});
