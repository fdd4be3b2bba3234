// `framewright train` in-process through main() with captured streams: a preset runs, Ctrl+C
// leaves a checkpoint, --resume finishes the same curve; bad flags and configs are one-line errors.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { initTfjsBackend } from '../src/runtime/tfjs-backend.js';
import { TRAIN_PRESETS } from '../src/train/index.js';
import { CAPTIONS_FILE, PIXEL_VOCABULARY, captionTokenizer, renderScene, sampleScene } from '../src/builtin/index.js';
import { encodePng } from '../src/image/index.js';
import { Rng } from '../src/transformer/index.js';
import { captureIo } from './helpers/captured-io.js';

let dir: string;
beforeAll(async () => {
  await initTfjsBackend();
  dir = await mkdtemp(join(tmpdir(), 'fw-train-cli-'));
  const tiny = { ...TRAIN_PRESETS['next-token-tiny']!, steps: 10, checkpointEvery: 4, model: { ...TRAIN_PRESETS['next-token-tiny']!.model, width: 16, blocks: 1 } };
  await writeFile(join(dir, 'tiny.json'), JSON.stringify(tiny));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('framewright train', () => {
  it('trains from a config file, draws progress on a terminal and prints the result as JSON', async () => {
    const io = captureIo(dir, { tty: true });
    expect(await main(['train', '--config', 'tiny.json', '--out', 'run', '--json'], io)).toBe(0);
    const result = JSON.parse(io.out) as { steps: number; backend: string; finalLoss: number; checkpoint: string };
    expect(result).toMatchObject({ steps: 10, backend: 'wasm' });
    expect(result.checkpoint).toBe(join(dir, 'run', 'checkpoints', 'step-00000010'));
    expect(io.err).toMatch(/train \[#+-*\] \d+\/10 {2}loss \d\.\d{4} {2}[\d.]+ steps\/s/);
    const latest = JSON.parse(await readFile(join(dir, 'run', 'latest.json'), 'utf8')) as { step: number };
    expect(latest.step).toBe(10);
  });

  it('Ctrl+C writes a checkpoint and exits 130; --resume continues to the same final loss', async () => {
    const io = captureIo(dir);
    const interrupted = main(['train', '--config', 'tiny.json', '--out', 'stopped', '--seed', '1'], io);
    // interrupt once the first step has been logged
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (/train /.test(io.err)) {
          clearInterval(poll);
          io.interrupt();
          resolve();
        }
      }, 5);
    });
    expect(await interrupted).toBe(130);
    expect(io.err).toMatch(/training was cancelled at step \d+; resume with --resume/);
    const resumed = captureIo(dir);
    expect(await main(['train', '--config', 'tiny.json', '--out', 'stopped', '--resume', '--json'], resumed)).toBe(0);
    const a = JSON.parse(resumed.out) as { finalLoss: number };
    const b = JSON.parse(await readFile(join(dir, 'run', 'checkpoints', 'step-00000010', 'state.json'), 'utf8')) as { losses: number[] };
    expect(a.finalLoss).toBe(b.losses[9]);
    const longer = captureIo(dir);
    expect(await main(['train', '--config', 'tiny.json', '--out', 'stopped', '--resume', '--steps', '12'], longer)).toBe(2);
    expect(longer.err.trim().split('\n').filter((l) => !l.startsWith('tfjs backend'))).toHaveLength(1);
    expect(longer.err).toMatch(/resume would change the learning-rate schedule \(steps: 10 vs 12\); .* pass --new-schedule/);
    const rescheduled = captureIo(dir);
    expect(await main(['train', '--config', 'tiny.json', '--out', 'stopped', '--resume', '--steps', '12', '--new-schedule', '--json'], rescheduled)).toBe(0);
    expect((JSON.parse(rescheduled.out) as { steps: number }).steps).toBe(12);
  });

  it('trains a conditioned task on a dataset folder named relative to the config file', async () => {
    const pictures = join(dir, 'project', 'pictures');
    await mkdir(pictures, { recursive: true });
    const rng = new Rng(1);
    const lines = [0, 1].map((i) => {
      const scene = sampleScene(rng, 'train');
      return { scene, file: `${i}.png`, caption: `a ${scene.colour} ${scene.shape}` };
    });
    for (const l of lines) await writeFile(join(pictures, l.file), encodePng({ width: 32, height: 32, rgb: renderScene(l.scene) }));
    await writeFile(join(pictures, CAPTIONS_FILE), lines.map((l) => JSON.stringify({ image: l.file, caption: l.caption })).join('\n'));
    const tokenizer = (await captionTokenizer(pictures)).config;
    const config = {
      task: 'captioned-maskgit',
      data: 'pictures',
      model: {
        input: { kind: 'tokens', vocabSize: PIXEL_VOCABULARY }, positions: { kind: 'sincos2d', rows: 4, cols: 4 },
        width: 16, heads: 2, ffnHidden: 16, activation: 'gelu', blocks: 1, outputSize: PIXEL_VOCABULARY,
        text: { encoder: { tokenizer, maxLength: 4, width: 16, heads: 2, ffnHidden: 16, blocks: 1 } }, context: { width: 16 },
      },
      batchSize: 2, steps: 2, seed: 1, optimizer: { kind: 'adamw', lr: 1e-3 },
    };
    await writeFile(join(dir, 'project', 'cond.json'), JSON.stringify(config));
    const io = captureIo(dir);
    expect(await main(['train', '--config', 'project/cond.json', '--out', 'cond', '--json'], io), io.err).toBe(0);
    expect(JSON.parse(io.out)).toMatchObject({ task: 'captioned-maskgit', steps: 2 });
    const state = JSON.parse(await readFile(join(dir, 'cond', 'checkpoints', 'step-00000002', 'state.json'), 'utf8')) as { train: { data: string } };
    expect(state.train.data).toBe(pictures);
  });

  it('bad usage and bad configs fail with one line naming the problem', async () => {
    const cases: [string[], number, RegExp][] = [
      [['train', '--out', 'x'], 2, /give exactly one of --config FILE or --preset NAME/],
      [['train', '--preset', 'nope', '--out', 'x'], 2, /unknown --preset "nope" \(choose from reverse-tiny/],
      [['train', '--preset', 'reverse-tiny'], 2, /--out DIR is required/],
      [['train', '--preset', 'reverse-tiny', '--out', 'x', '--steps', '0'], 2, /--steps must be between 1/],
      [['train', '--config', 'missing.json', '--out', 'x'], 3, /training config not found/],
      [['train', '--preset', 'reverse-tiny', '--out', 'x', '--new-schedule'], 2, /--new-schedule only applies with --resume/],
    ];
    for (const [argv, code, message] of cases) {
      const io = captureIo(dir);
      expect(await main(argv, io), argv.join(' ')).toBe(code);
      expect(io.err).toMatch(message);
    }
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ ...TRAIN_PRESETS['reverse-tiny']!, optimizer: { kind: 'adam', lr: 1 } }));
    const io = captureIo(dir);
    expect(await main(['train', '--config', 'bad.json', '--out', 'x'], io)).toBe(2);
    expect(io.err).toMatch(/training config bad\.json \/optimizer/);
  });
});
