import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeTokens, segmentWindow, transcribe } from '../src/ops/subtitles/decode.js';
import { WhisperTokens } from '../src/ops/subtitles/tokens.js';
import { OnnxWhisper, type OnnxDecoding, type WhisperDecoding, type WhisperModel, type WhisperWindow } from '../src/ops/subtitles/whisper.js';
import { buildWhisperReplica, replicaIds, wordId, writeWhisperReplicaPack, type WhisperReplicaOptions } from './helpers/whisper-replica.js';

const root = mkdtempSync(join(tmpdir(), 'fw-whisper-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let packs = 0;

async function replica(options: WhisperReplicaOptions = {}): Promise<{ model: OnnxWhisper; tokens: WhisperTokens; dir: string }> {
  const dir = writeWhisperReplicaPack(join(root, `pack-${packs++}`), buildWhisperReplica(options));
  const model = await OnnxWhisper.open({ encoder: join(dir, 'encoder_model.onnx'), decoder: join(dir, 'decoder_model.onnx'), decoderWithPast: join(dir, 'decoder_with_past_model.onnx') }, { intraOpThreads: 1 });
  const tokens = await WhisperTokens.load(join(dir, 'generation_config.json'), join(dir, 'vocab.json'));
  return { model, tokens, dir };
}

/** Noise at 16 kHz (the replica's encoder output depends on it). */
function noise(seconds: number, seed = 3): Float32Array {
  let s = seed;
  return Float32Array.from({ length: Math.round(seconds * 16000) }, () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff - 0.5) * 0.2);
}

/** Records every decoding a model starts, so a test can read the tokens it was fed. */
function recording(model: OnnxWhisper): { model: WhisperModel; decodings: OnnxDecoding[] } {
  const decodings: OnnxDecoding[] = [];
  return {
    decodings,
    model: {
      melBins: model.melBins,
      begin: async (window) => {
        const d = await model.begin(window);
        decodings.push(d);
        return d;
      },
    },
  };
}

const ids = replicaIds();
const ts = (seconds: number) => ids.timestampBegin + Math.round(seconds / 0.02);

describe('Whisper decoding on a random-weight replica of the Optimum export', () => {
  it('gives the same logits from the key/value cache as from recomputing the whole sequence, at every step', async () => {
    const { model, tokens } = await replica();
    const features = new Float32Array(80 * 3000).map((_, i) => Math.sin(i * 0.37));
    const decoding = await model.begin({ features, startSeconds: 0, durationSeconds: 30 });
    const prompt = tokens.prompt({ language: 'en', task: 'transcribe', timestamps: false });
    let fed = [...prompt];
    let logits = await decoding.step(prompt);
    let worst = 0;
    for (let step = 0; step < 12; step++) {
      const full = await decoding.withoutCache(fed);
      for (let i = 0; i < logits.length; i++) worst = Math.max(worst, Math.abs(logits[i]! - full[i]!));
      let next = 0;
      for (let i = 1; i < ids.eos; i++) if (logits[i]! > logits[next]!) next = i;
      fed = [...fed, next];
      logits = await decoding.step([next]);
    }
    expect(decoding.tokens).toEqual(fed);
    expect(worst).toBeLessThan(1e-4);
  });

  it('runs the merged decoder (decoder_model_merged.onnx, an If on use_cache_branch) like the split pair: same logits, cache or not', async () => {
    const split = await replica();
    const dir = writeWhisperReplicaPack(join(root, `pack-${packs++}`), buildWhisperReplica({ layout: 'merged' }));
    const merged = await OnnxWhisper.open({ encoder: join(dir, 'encoder_model.onnx'), decoder: join(dir, 'decoder_model_merged.onnx') }, { intraOpThreads: 1 });
    expect(merged.io.layout).toBe('merged');
    expect(merged.io).toMatchObject({ layers: 2, heads: 2, headDim: 4, vocab: ids.vocab });
    const features = new Float32Array(80 * 3000).map((_, i) => Math.cos(i * 0.11));
    const a = await split.model.begin({ features, startSeconds: 0, durationSeconds: 30 });
    const b = await merged.begin({ features, startSeconds: 0, durationSeconds: 30 });
    const sequence = [ids.start, ids.languages.en!, ids.transcribe!, ts(0), wordId('hello'), wordId('world'), ts(1)];
    let worst = 0;
    const compare = (x: Float32Array, y: Float32Array) => x.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - y[i]!))));
    compare(await a.step(sequence.slice(0, 3)), await b.step(sequence.slice(0, 3)));
    for (let i = 3; i < sequence.length; i++) compare(await a.step([sequence[i]!]), await b.step([sequence[i]!]));
    compare(await b.withoutCache(sequence), await a.withoutCache(sequence));
    expect(worst).toBeLessThan(1e-4);
  });

  it('reads its interface: split layout, 2 layers of 2 heads of 4, 80 mel bins; refuses a decoder without past as the with-past model', async () => {
    const { model, dir } = await replica();
    expect(model.io).toEqual({ melBins: 80, layers: 2, heads: 2, headDim: 4, vocab: ids.vocab, layout: 'split' });
    await expect(OnnxWhisper.open({ encoder: join(dir, 'encoder_model.onnx'), decoder: join(dir, 'decoder_model.onnx'), decoderWithPast: join(dir, 'decoder_model.onnx') })).rejects.toThrow(/has no past_key_values.0.decoder.key input/);
    await expect(OnnxWhisper.open({ encoder: join(dir, 'decoder_model.onnx'), decoder: join(dir, 'decoder_model.onnx') })).rejects.toThrow(/has no input named input_features/);
  });

  it('turns timestamp tokens into segment times (a scripted replica: the argmax follows the test script)', async () => {
    const script = [ids.transcribe!, ts(0.4), wordId('hello'), wordId('world'), wordId('.'), ts(1.5), ts(2), wordId('this'), wordId('is'), wordId('a'), wordId('test'), ts(3.24), ids.eos];
    const { model, tokens } = await replica({ script: new Map(script.slice(0, -1).map((id, i) => [id, script[i + 1]!])) });
    const transcript = await transcribe(model, tokens, noise(5), { language: 'en' });
    expect(transcript.segments.map((s) => [s.startSeconds, s.endSeconds, s.text])).toEqual([
      [0.4, 1.5, 'hello world.'],
      [2, 3.24, 'this is a test'],
    ]);
    expect(transcript.windows).toBe(1);
  });

  it('places the start, language, task and no-timestamps tokens as Whisper does, and detects the language from the token after the start', async () => {
    const script = new Map([[ids.start, ids.languages.fr!], [ids.translate!, ids.noTimestamps], [ids.noTimestamps, wordId('good')], [wordId('good'), ids.eos]]);
    const { model, tokens } = await replica({ script });
    const recorded = recording(model);
    const auto = await transcribe(recorded.model, tokens, noise(4), { task: 'translate', timestamps: false });
    expect(auto.language).toBe('fr');
    // decoding 0 detected the language from [<|startoftranscript|>]; decoding 1 is the window.
    expect(recorded.decodings[0]!.tokens).toEqual([ids.start]);
    expect(recorded.decodings[1]!.tokens.slice(0, 4)).toEqual([ids.start, ids.languages.fr, ids.translate, ids.noTimestamps]);
    expect(auto.segments.map((s) => [s.startSeconds, s.endSeconds, s.text])).toEqual([[0, 4, 'good']]);
    expect(tokens.prompt({ language: 'de', task: 'transcribe', timestamps: true })).toEqual([ids.start, ids.languages.de, ids.transcribe]);
    expect(() => tokens.prompt({ language: 'xx', task: 'transcribe', timestamps: true })).toThrow(/language "xx" is not one of this model's \(en, fr, de\)/);
  });

  it('gives an English-only model the start token alone, and refuses to translate with it', async () => {
    const english = replicaIds(false);
    const { tokens } = await replica({ multilingual: false });
    expect(tokens.multilingual).toBe(false);
    expect(tokens.prompt({ task: 'transcribe', timestamps: true })).toEqual([english.start]);
    expect(tokens.prompt({ task: 'transcribe', timestamps: false })).toEqual([english.start, english.noTimestamps]);
    expect(() => tokens.prompt({ task: 'translate', timestamps: true })).toThrow(/English-only/);
  });
});

/**
 * A model whose outputs the test controls completely: it "hears" the words of a transcript whose
 * times are given in file seconds, and answers each window as a perfect Whisper would: the
 * sentences inside the window between timestamp pairs, and a sentence the window's end cuts as
 * its start timestamp and the words before the cut, then <|endoftext|> (an unfinished segment).
 */
class ScriptedWhisper implements WhisperModel {
  readonly melBins = 80;
  readonly windows: WhisperWindow[] = [];
  constructor(private readonly sentences: readonly { start: number; end: number; words: string[] }[]) {}

  begin(window: WhisperWindow): Promise<WhisperDecoding> {
    this.windows.push(window);
    const from = window.startSeconds;
    const to = from + window.durationSeconds;
    const out: number[] = [];
    for (const s of this.sentences) {
      if (s.end <= from + 1e-9 || s.start >= to) continue;
      if (s.start < from - 1e-9) continue; // began before the window: the previous window finished it
      out.push(ts(s.start - from));
      const perWord = (s.end - s.start) / s.words.length;
      const heard = s.words.filter((_, i) => s.start + (i + 1) * perWord <= to + 1e-9);
      out.push(...heard.map(wordId));
      if (heard.length < s.words.length) break;
      out.push(ts(s.end - from));
    }
    out.push(ids.eos);
    let position = -1;
    return Promise.resolve({
      step: (fed: readonly number[]) => {
        position = fed.includes(ids.start) ? 0 : position + 1;
        const logits = new Float32Array(ids.vocab);
        logits[out[position] ?? ids.eos] = 20;
        return Promise.resolve(logits);
      },
    });
  }
}

describe('Whisper windows over a long file (a scripted model)', () => {
  const tokensOf = async () => (await replica()).tokens;
  const sentences = [
    { start: 0.5, end: 6, words: ['hello', 'world', 'this', 'is', 'a', 'test'] },
    { start: 6.5, end: 14, words: ['of', 'the', 'caption', 'maker', '.'] },
    { start: 14.4, end: 26, words: ['it', 'speaks', 'slowly', 'and', 'then', 'stops'] },
    { start: 26.5, end: 34, words: ['one', 'two', 'three', 'four', 'five'] }, // cut by the first window's end
    { start: 34.6, end: 52, words: ['six', 'seven', 'eight', 'nine', 'ten', 'again'] },
    { start: 52.4, end: 63, words: ['we', 'are', 'done', 'now', '.'] }, // cut by the second window's end
    { start: 63.5, end: 69, words: ['good', '.'] },
  ];

  it('stitches 30 s windows at the last timestamp: no word lost or repeated, times in file time', async () => {
    const tokens = await tokensOf();
    const model = new ScriptedWhisper(sentences);
    const transcript = await transcribe(model, tokens, new Float32Array(70 * 16000), { language: 'en' });
    const words = transcript.segments.flatMap((s) => s.tokens.map((t) => t.text.trim()));
    expect(words).toEqual(sentences.flatMap((s) => s.words));
    expect(transcript.segments.map((s) => [s.startSeconds, s.endSeconds])).toEqual(sentences.map((s) => [s.start, s.end]).map(([a, b]) => [expect.closeTo(a!, 6), expect.closeTo(b!, 6)]));
    // Windows start where the last complete sentence ended: 0, 26 (sentence 3's end), 52 (sentence 5's); the last one reaches the end.
    expect(model.windows.map((w) => Math.round(w.startSeconds * 100) / 100)).toEqual([0, 26, 52]);
    expect(transcript.windows).toBe(3);
  });

  it('decodes only the speech ranges it is given: skipped stretches are counted, times stay in file time', async () => {
    const tokens = await tokensOf();
    const model = new ScriptedWhisper(sentences);
    const transcript = await transcribe(model, tokens, new Float32Array(70 * 16000), { language: 'en', speechRanges: [[0.3, 14.2], [34.5, 52.2]] });
    expect(transcript.segments.map((s) => s.text)).toEqual(['hello world this is a test', 'of the caption maker.', 'six seven eight nine ten again']);
    expect(transcript.segments.map((s) => s.startSeconds)).toEqual([expect.closeTo(0.5, 6), expect.closeTo(6.5, 6), expect.closeTo(34.6, 6)]);
    expect(model.windows.map((w) => [Math.round(w.startSeconds * 100) / 100, Math.round(w.durationSeconds * 100) / 100])).toEqual([[0.3, 13.9], [34.5, 17.7]]);
    expect(transcript.decodedSeconds).toBeCloseTo(13.9 + 17.7, 6);
    expect(transcript.skippedSeconds).toBeCloseTo(70 - 13.9 - 17.7, 6);
  });

  it('segments a window as transcribe.py does: a single timestamp ending takes the whole window, an unfinished segment is decoded again', async () => {
    const tokens = await tokensOf();
    const closed = segmentWindow(tokens, [ts(0), wordId('one'), ts(1), ts(1.2), wordId('two'), ts(2)], 30);
    expect(closed.advanceSeconds).toBe(30);
    expect(closed.segments.map((s) => [s.startSeconds, s.endSeconds, s.text])).toEqual([[0, 1, 'one'], [1.2, 2, 'two']]);
    const open = segmentWindow(tokens, [ts(0), wordId('one'), ts(1), ts(1.2), wordId('two')], 30);
    expect(open.advanceSeconds).toBeCloseTo(1, 9);
    expect(open.segments.map((s) => s.text)).toEqual(['one']);
  });

  it('keeps the timestamp rules: the first token is a timestamp within 1 s, pairs, never backwards', async () => {
    const tokens = await tokensOf();
    // A decoder that always prefers <|5.00|>, then text: the rules force <|0.00|>…<|1.00|> first.
    const decoding: WhisperDecoding = {
      step: () => {
        const logits = new Float32Array(ids.vocab);
        logits[ts(5)] = 5;
        logits[wordId('one')] = 4;
        logits[ts(0.5)] = 3;
        return Promise.resolve(logits);
      },
    };
    const out = await decodeTokens(decoding, tokens, [ids.start], true, 4);
    expect(out[0]).toBe(ts(0.5));
    expect(out[1]).toBe(wordId('one'));
    expect(out.slice(2).every((id) => id === wordId('one') || id >= ts(0.5))).toBe(true);
  });
});

// The replica's vocab.json is what the tokenizer decodes.
it('decodes byte-level BPE text from vocab.json', async () => {
  const { tokens, dir } = await replica();
  const vocab = JSON.parse(readFileSync(join(dir, 'vocab.json'), 'utf8')) as Record<string, number>;
  expect(tokens.decode([vocab['Ġhello']!, vocab['Ġworld']!, vocab['.']!, ids.eos, ts(1)])).toBe(' hello world.');
});
