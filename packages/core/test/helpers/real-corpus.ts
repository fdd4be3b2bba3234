// A shot-detection corpus that looks like recorded footage rather than like the detector: moving,
// zooming, panning and shaking shots from ffmpeg's lavfi sources, joined by hard cuts, dissolves
// (xfade), fades through black or white, with flashes, darkened grading, stuttering captures
// (frames repeated 2-4 times, some dropped; as 30 fps CFR or as true VFR) and several codecs.
// Every video is generated into a temp folder; the ground truth comes from the recipe. Everything
// random is seeded (noise, automata, the stutter), so the same recipe gives the same video.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ffmpeg = () => process.env['FFMPEG_PATH'] ?? 'ffmpeg';
const ffprobe = () => process.env['FFPROBE_PATH'] ?? 'ffprobe';

/** What a shot shows; every look moves (nothing in real footage is a still frame). */
export type Look =
  | 'testsrc2' | 'mandelbrot' | 'life' | 'cellauto' | 'gradients' | 'zoom' | 'pan' | 'shake'
  | 'bars' | 'chart-pan' | 'sierpinski' | 'dark-room' | 'static';

/** One shot: `frames` frames of a look, with an optional extra filter (a flash, a grade). */
export interface CorpusShot {
  readonly look: Look;
  readonly frames: number;
  /** Varies the look (colours, fractal position, automaton seed). */
  readonly seed?: number;
  /** Extra filter on this shot only, after the look (e.g. a flash). */
  readonly filter?: string;
}

/** How two shots are joined. */
export type Join =
  | { readonly kind: 'cut' }
  /** ffmpeg xfade over `frames` frames: fade is a cross-fade, dissolve a per-pixel random dissolve. */
  | { readonly kind: 'xfade'; readonly transition: 'fade' | 'dissolve' | 'fadeblack' | 'fadewhite'; readonly frames: number }
  /**
   * The first shot's last `out` frames fade to `colour` (0: it ends hard), `hold` frames of the
   * colour, then the second shot fades in over `inFrames` frames from a frame of the colour (0: it
   * starts hard).
   */
  | { readonly kind: 'through'; readonly colour?: 'black' | 'white'; readonly out: number; readonly hold: number; readonly inFrames: number };

/** Codecs the corpus is encoded with. */
export type CorpusCodec = 'x264' | 'mpeg4' | 'mjpeg' | 'vp9';

/** A stuttering capture: each frame of the composition repeated 2-4 times (seeded), some dropped. */
export interface Stutter {
  readonly seed: number;
  /** Share of the composition's frames never shown (default 0.1). */
  readonly dropShare?: number;
  /** `cfr`: repeats written as frames of a 30 fps stream; `vfr`: each frame lasts as long as it is repeated. */
  readonly timing: 'cfr' | 'vfr';
  /** Temporal noise added after the repeats, so repeats differ slightly (as re-encoded captures do). */
  readonly noise?: number;
}

/** What to generate. */
export interface RealVideoSpec {
  readonly shots: readonly CorpusShot[];
  /** `shots.length - 1` joins (default: hard cuts). */
  readonly joins?: readonly Join[];
  /** ffmpeg rate: `25`, `30000/1001`, `60` (default 25; a stutter is always made from 30). */
  readonly fps?: string;
  readonly width?: number;
  readonly height?: number;
  readonly codec?: CorpusCodec;
  /** A filter over the whole composition (e.g. a dark grade). */
  readonly post?: string;
  readonly stutter?: Stutter;
}

/** A transition kind as clip-cut reports it. */
export type TruthKind = 'dissolve' | 'fade-out' | 'fade-in' | 'fade-through-black' | 'fade-through-white';

/** A gradual transition of the ground truth, in frames of the written file. */
export interface TruthTransition {
  readonly kind: TruthKind;
  /** First frame that is no longer the outgoing shot. */
  readonly startFrame: number;
  /** First frame that is the incoming shot alone (exclusive end). */
  readonly endFrame: number;
  /** Where an editor cuts: the middle of a dissolve, the middle of the colour between two fades. */
  readonly cutFrame: number;
}

/** A generated video and its ground truth. */
export interface RealVideo {
  readonly path: string;
  readonly frameCount: number;
  /** First frames of shots that start with a hard cut. */
  readonly hardCuts: number[];
  /** Seconds of those cuts (from the frames' timestamps). */
  readonly hardCutSeconds: number[];
  readonly transitions: TruthTransition[];
  /** For a stuttering CFR capture: which frames repeat the frame before them. */
  readonly repeats?: boolean[];
}

const CODECS: Record<CorpusCodec, { ext: string; args: string[] }> = {
  // Long GOP and B-frames, as cameras and OBS write.
  x264: { ext: 'mp4', args: ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '24', '-bf', '3', '-g', '250', '-pix_fmt', 'yuv420p'] },
  mpeg4: { ext: 'mkv', args: ['-c:v', 'mpeg4', '-q:v', '6', '-bf', '2', '-g', '120', '-pix_fmt', 'yuv420p'] },
  mjpeg: { ext: 'avi', args: ['-c:v', 'mjpeg', '-q:v', '6', '-pix_fmt', 'yuvj420p'] },
  vp9: { ext: 'webm', args: ['-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '500k', '-g', '150', '-pix_fmt', 'yuv420p'] },
};

const COLOURS = ['#c0e040', '#40c0ff', '#ff8040', '#e0e0e0', '#a060ff'];

/** The lavfi source of a look at `w`×`h`, `fps`, and the filter that makes it move like footage. */
function lookSource(look: Look, seed: number, w: number, h: number, fps: string): { source: string; filter: string } {
  const size = (sw: number, sh: number) => `s=${sw}x${sh}:r=${fps}`;
  const colour = COLOURS[seed % COLOURS.length]!;
  switch (look) {
    case 'testsrc2':
      return { source: `testsrc2=${size(w, h)}`, filter: seed % 2 === 1 ? 'hue=h=140' : 'null' };
    case 'mandelbrot':
      // The fractal zooms in continuously; seeds move it to other places along the set's edge.
      return { source: `mandelbrot=${size(w, h)}:maxiter=160:start_x=${(-0.743643887 + seed * 0.0003).toFixed(9)}:start_y=${(0.131825904 + seed * 0.0002).toFixed(9)}:end_scale=0.05`, filter: 'null' };
    case 'life':
      return { source: `life=${size(w, h)}:mold=10:ratio=0.25:seed=${seed + 1}:life_color=${colour}:death_color=#302010`, filter: 'null' };
    case 'cellauto':
      return { source: `cellauto=${size(w, h)}:rule=${[110, 30, 90, 150][seed % 4]}:random_seed=${seed + 1}`, filter: 'null' };
    case 'gradients':
      // Slowly turning gradients under camera grain.
      // Its colours are given: 'random' ones would ignore the seed.
      return { source: `gradients=${size(w, h)}:speed=0.02:seed=${seed + 1}:c0=${colour}:c1=${COLOURS[(seed + 2) % COLOURS.length]}`, filter: `noise=alls=20:allf=t:all_seed=${seed + 1}` };
    case 'zoom':
      // A slow push-in on a moving test pattern (zoompan crops and rescales every frame).
      return { source: `testsrc2=${size(2 * w, 2 * h)}`, filter: `zoompan=z='1+0.004*on':x='iw/2-iw/zoom/2':y='ih/2-ih/zoom/2':d=1:s=${w}x${h}:fps=${fps},hue=h=${seed * 60}` };
    case 'pan':
      // A slow camera pan across a wider picture.
      return { source: `testsrc2=${size(2 * w, h)}`, filter: `crop=${w}:${h}:x='min(iw-ow,t*${Math.round(w / 8)})':y=0,hue=h=${seed * 50}` };
    case 'shake':
      // A hand-held camera: the frame wobbles by several pixels every few frames.
      return { source: `mandelbrot=${size(w + 32, h + 32)}:maxiter=120:end_scale=0.5`, filter: `crop=${w}:${h}:x='16+14*sin(t*13+${seed})':y='16+12*sin(t*9+1)'` };
    case 'bars':
      return { source: `smptehdbars=${size(w, h)}`, filter: `noise=alls=10:allf=t:all_seed=${seed + 1}` };
    case 'chart-pan':
      // A colour chart (24 patches of 64 px, 384x256) panned across, under sensor noise.
      return { source: `colorchart=r=${fps}:patch_size=64x64`, filter: `crop=${Math.min(w, 256)}:${Math.min(h, 144)}:x='min(iw-ow,t*24)':y='min(ih-oh,t*8)',noise=alls=6:allf=t:all_seed=${seed + 1}` };
    case 'sierpinski':
      return { source: `sierpinski=${size(w, h)}:seed=${seed + 1}:jump=1:type=${seed % 2 === 0 ? 'carpet' : 'triangle'}`, filter: 'null' };
    case 'dark-room':
      // Dim, grainy footage whose exposure drifts, as a phone in a dark room records it.
      return { source: `testsrc2=${size(w, h)}`, filter: `eq=brightness='-0.36+0.06*sin(t*1.7+${seed})':contrast=0.6:eval=frame,noise=alls=12:allf=t:all_seed=${seed + 1}` };
    case 'static':
      // A locked-off shot: nothing moves but the sensor noise.
      return { source: `rgbtestsrc=${size(w, h)}`, filter: `noise=alls=8:allf=t:all_seed=${seed + 1}` };
  }
}

/** Seconds of `frames` frames at the rate `fps`. */
function secondsOf(frames: number, fps: string): number {
  const [num, den] = fps.split('/').map(Number);
  return (frames * (den ?? 1)) / (num ?? 25);
}

// Stutter patterns: integer hashes exact in double arithmetic, so ffmpeg's expressions and this
// file compute the same pattern.
const dropHash = (n: number, salt: number) => (((n * 7919 + salt) % 1009) * 5003 + 17) % 1009;
const repeatOf = (k: number, salt: number) => 2 + (((((k * 6007 + salt * 3) % 1013) * 3001 + 29) % 1013) % 3);
const dropExpr = (salt: number, threshold: number) => `gte(mod(mod(n*7919+${salt},1009)*5003+17,1009),${threshold})`;
const repeatExpr = (salt: number) => `2+mod(mod(mod(N*6007+${salt * 3},1013)*3001+29,1013),3)`;

/** Where the composition's frames land in the written file. */
interface FrameMap {
  /** The first written frame showing composition frame `n` or a later one. */
  at(n: number): number;
  /** Seconds of a written frame. */
  seconds(frame: number): number;
}

/** Generates a video from `spec` at `dir/name.<ext>` and returns it with its ground truth. */
export async function makeRealVideo(dir: string, name: string, spec: RealVideoSpec): Promise<RealVideo> {
  const width = spec.width ?? 320;
  const height = spec.height ?? 180;
  const fps = spec.stutter !== undefined ? '30' : (spec.fps ?? '25');
  const joins = spec.joins ?? spec.shots.slice(1).map(() => ({ kind: 'cut' as const }));
  if (joins.length !== spec.shots.length - 1) throw new Error(`${name}: ${spec.shots.length} shots need ${spec.shots.length - 1} joins`);
  const args = ['-hide_banner', '-loglevel', 'error', '-y'];
  const chains: string[] = [];
  const [rateNum, rateDen] = fps.split('/').map(Number);
  // Every stream at one time base: xfade refuses inputs whose time bases differ, and concat's is 1/1000000.
  const tb = `settb=${rateDen ?? 1}/${rateNum}`;
  const norm = `scale=${width}:${height},setsar=1,format=yuv420p,fps=${fps},${tb}`;
  let inputs = 0;
  const input = (source: string, frames: number) => {
    args.push('-f', 'lavfi', '-t', secondsOf(frames + 2, fps).toFixed(4), '-i', source);
    return inputs++;
  };
  // Shots (with the fades of 'through' joins applied at their ends) and colour holds.
  const labels: string[] = [];
  spec.shots.forEach((shot, i) => {
    const { source, filter } = lookSource(shot.look, shot.seed ?? i, width, height, fps);
    const index = input(source, shot.frames);
    const before = i > 0 ? joins[i - 1] : undefined;
    const after = joins[i];
    const fades: string[] = [];
    if (after?.kind === 'through' && after.out > 0) fades.push(`fade=t=out:s=${shot.frames - after.out - 1}:n=${after.out + 1}:c=${after.colour ?? 'black'}`);
    if (before?.kind === 'through' && before.inFrames > 0) fades.push(`fade=t=in:s=0:n=${before.inFrames + 1}:c=${before.colour ?? 'black'}`);
    const extra = [shot.filter, ...fades].filter((f) => f !== undefined).join(',');
    chains.push(`[${index}:v]${filter},${norm},trim=end_frame=${shot.frames},setpts=PTS-STARTPTS${extra === '' ? '' : `,${extra}`}[s${i}]`);
    labels.push(`s${i}`);
  });
  // Join left to right, keeping the truth in composition frames.
  let current = labels[0]!;
  let length = spec.shots[0]!.frames;
  const hardCuts: number[] = [];
  const transitions: TruthTransition[] = [];
  joins.forEach((join, i) => {
    const next = labels[i + 1]!;
    const nextFrames = spec.shots[i + 1]!.frames;
    const out = `j${i}`;
    if (join.kind === 'cut') {
      chains.push(`[${current}][${next}]concat=n=2:v=1:a=0,${tb}[${out}]`);
      hardCuts.push(length);
      length += nextFrames;
    } else if (join.kind === 'xfade') {
      // xfade: the frame at the offset is still the first shot; the next frames-1 mix; then the second.
      const offset = length - join.frames;
      chains.push(`[${current}][${next}]xfade=transition=${join.transition}:duration=${secondsOf(join.frames, fps).toFixed(6)}:offset=${secondsOf(offset, fps).toFixed(6)},${tb}[${out}]`);
      const startFrame = offset + 1;
      const endFrame = offset + join.frames;
      const kind: TruthKind = join.transition === 'fadeblack' ? 'fade-through-black' : join.transition === 'fadewhite' ? 'fade-through-white' : 'dissolve';
      // xfade's fadeblack and fadewhite reach the colour a fifth of the way in, then fade the second shot in.
      const cutFrame = kind === 'dissolve' ? Math.floor((startFrame + endFrame) / 2) : offset + Math.round(0.2 * join.frames);
      transitions.push({ kind, startFrame, endFrame, cutFrame });
      length += nextFrames - join.frames;
    } else {
      const colour = join.colour ?? 'black';
      let joined = current;
      if (join.hold > 0) {
        const hold = input(`color=c=${colour}:s=${width}x${height}:r=${fps}`, join.hold);
        chains.push(`[${hold}:v]${norm},trim=end_frame=${join.hold},setpts=PTS-STARTPTS[h${i}]`, `[${current}][h${i}]concat=n=2:v=1:a=0,${tb}[hj${i}]`);
        joined = `hj${i}`;
      }
      chains.push(`[${joined}][${next}]concat=n=2:v=1:a=0,${tb}[${out}]`);
      // The fade filter's frame s is still untouched and its frame s+n fully faded.
      const rampOutStart = length - join.out;
      const colourStart = length;
      const secondStart = length + join.hold;
      const colourEnd = secondStart + (join.inFrames > 0 ? 1 : 0);
      const pureSecond = join.inFrames > 0 ? secondStart + join.inFrames + 1 : secondStart;
      const through: TruthKind = colour === 'black' ? 'fade-through-black' : 'fade-through-white';
      if (join.out > 0 && join.inFrames > 0) {
        // One transition; the cut goes to the middle of the colour between the two fades.
        transitions.push({ kind: through, startFrame: rampOutStart, endFrame: pureSecond, cutFrame: colourStart + Math.floor((colourEnd - colourStart) / 2) });
      } else {
        // A hard cut into the colour (unless the first shot fades into it) and one out of it
        // (unless the second shot fades out of it); one cut where the two coincide.
        const into = join.out === 0 && colourEnd > colourStart ? colourStart : undefined;
        const outOf = join.inFrames === 0 ? secondStart : undefined;
        if (join.out > 0) transitions.push({ kind: 'fade-out', startFrame: rampOutStart, endFrame: colourStart, cutFrame: secondStart });
        if (join.inFrames > 0) transitions.push({ kind: 'fade-in', startFrame: colourEnd, endFrame: pureSecond, cutFrame: colourStart });
        for (const cut of new Set([into, outOf])) if (cut !== undefined) hardCuts.push(cut);
      }
      length += join.hold + nextFrames;
    }
    current = out;
  });
  const post = spec.post === undefined ? '' : `,${spec.post}`;
  let map: FrameMap = { at: (n) => n, seconds: (f) => secondsOf(f, fps) };
  let firstShowings: Set<number> | undefined;
  let tail = `[${current}]null${post}`;
  const encode = [...CODECS[spec.codec ?? 'x264'].args];
  if (spec.stutter !== undefined) {
    const { seed, timing } = spec.stutter;
    const threshold = Math.round(1009 * (spec.stutter.dropShare ?? 0.1));
    const kept: number[] = [];
    for (let n = 0; n < length; n++) if (dropHash(n, seed) >= threshold) kept.push(n);
    const starts = [0];
    kept.forEach((_, k) => starts.push(starts[k]! + repeatOf(k, seed)));
    const firstKept = (n: number) => {
      const k = kept.findIndex((m) => m >= n);
      return k < 0 ? kept.length : k;
    };
    // Each kept frame starts at its repeat count's running sum, in 30ths of a second.
    tail += `,select='${dropExpr(seed, threshold)}',settb=1/90000,setpts='st(1,ld(0));st(0,ld(0)+${repeatExpr(seed)});ld(1)*3000'`;
    if (timing === 'cfr') {
      tail += ',fps=30';
      map = { at: (n) => starts[firstKept(n)]!, seconds: (f) => f / 30 };
      firstShowings = new Set(starts);
      encode.push('-r', '30');
    } else {
      map = { at: (n) => firstKept(n), seconds: (f) => starts[f]! / 30 };
      encode.push('-vsync', 'passthrough', '-video_track_timescale', '90000');
    }
    if (spec.stutter.noise !== undefined) tail += `,noise=alls=${spec.stutter.noise}:allf=t:all_seed=${seed}`;
  } else {
    encode.push('-r', fps);
  }
  chains.push(`${tail},format=yuv420p[v]`);
  const { ext } = CODECS[spec.codec ?? 'x264'];
  const path = join(dir, `${name}.${ext}`);
  args.push('-filter_complex', chains.join(';'), '-map', '[v]', ...encode, path);
  await run(ffmpeg(), args, { maxBuffer: 1 << 24 }).catch((error: { stderr?: string }) => {
    throw new Error(`generating ${name}: ${error.stderr?.trim() ?? String(error)}`);
  });
  const frameCount = await countFrames(path);
  const cuts = hardCuts.map((n) => map.at(n));
  return {
    path,
    frameCount,
    hardCuts: cuts,
    hardCutSeconds: cuts.map((f) => map.seconds(f)),
    transitions: transitions.map((t) => ({ kind: t.kind, startFrame: map.at(t.startFrame), endFrame: map.at(t.endFrame), cutFrame: map.at(t.cutFrame) })),
    ...(firstShowings === undefined ? {} : { repeats: Array.from({ length: frameCount }, (_, f) => !firstShowings.has(f)) }),
  };
}

/** Decoded video frames of a file, by ffprobe. */
export async function countFrames(path: string): Promise<number> {
  const { stdout } = await run(ffprobe(), ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', path]);
  return Number(stdout.trim());
}

/** Runs `work` over `items` with at most `limit` at a time (the test machines have few cores). */
export async function pool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A video of the corpus and what it is for. */
export interface CorpusEntry {
  readonly name: string;
  /** transitions: dissolves and fades; still: camera motion and no transitions; stutter; dark; flash. */
  readonly group: 'transitions' | 'still' | 'stutter' | 'dark' | 'flash';
  readonly spec: RealVideoSpec;
}

const xfade = (transition: 'fade' | 'dissolve' | 'fadeblack' | 'fadewhite', frames: number): Join => ({ kind: 'xfade', transition, frames });
const cut: Join = { kind: 'cut' };
const shots = (...list: Array<[Look, number, number?]>): CorpusShot[] => list.map(([look, frames, seed]) => (seed === undefined ? { look, frames } : { look, frames, seed }));
/** A white flash over frames [at, at + frames) of a shot. */
export const whiteFlash = (at: number, frames: number) => `drawbox=c=white:t=fill:enable='between(n,${at},${at + frames - 1})'`;
/** A camera flash: a sharp brightening that decays over three frames. */
export const cameraFlash = (at: number) => `eq=brightness=0.55:enable='eq(n,${at})',eq=brightness=0.3:enable='eq(n,${at + 1})',eq=brightness=0.12:enable='eq(n,${at + 2})'`;

/**
 * The corpus: 16 dissolves and fades of 10-40 frames between moving shots at 25, 29.97 and 60 fps
 * in four codecs; long shots of pans, zooms, shakes and still pictures; stuttering captures as
 * CFR and VFR; darkened grading (brightness −0.3, contrast ×0.5); flashes next to cuts.
 */
export const REAL_CORPUS: readonly CorpusEntry[] = [
  { name: 'dissolves-25-x264', group: 'transitions', spec: { fps: '25', shots: shots(['testsrc2', 50], ['mandelbrot', 60], ['life', 55], ['gradients', 50]), joins: [xfade('fade', 20), cut, xfade('dissolve', 30)] } },
  { name: 'dissolves-2997-mpeg4', group: 'transitions', spec: { fps: '30000/1001', codec: 'mpeg4', shots: shots(['zoom', 70], ['shake', 70], ['pan', 60], ['sierpinski', 50]), joins: [xfade('fade', 40), xfade('fadewhite', 16), xfade('dissolve', 12)] } },
  { name: 'fades-60-vp9', group: 'transitions', spec: { fps: '60', codec: 'vp9', shots: shots(['cellauto', 60], ['testsrc2', 70, 1], ['chart-pan', 60], ['bars', 40]), joins: [xfade('fadeblack', 24), xfade('fade', 15), cut] } },
  { name: 'mixed-25-mjpeg', group: 'transitions', spec: { fps: '25', codec: 'mjpeg', shots: shots(['life', 45, 2], ['testsrc2', 50], ['mandelbrot', 60, 3], ['static', 40]), joins: [xfade('fade', 10), xfade('dissolve', 25), xfade('fadeblack', 14)] } },
  { name: 'through-black-2997-x264', group: 'transitions', spec: { fps: '30000/1001', shots: shots(['gradients', 60, 2], ['zoom', 60, 1], ['life', 60, 3], ['testsrc2', 50, 1]), joins: [
    { kind: 'through', out: 15, hold: 5, inFrames: 15 }, { kind: 'through', out: 0, hold: 8, inFrames: 20 }, { kind: 'through', colour: 'white', out: 12, hold: 4, inFrames: 0 }] } },
  { name: 'long-dissolves-60-x264', group: 'transitions', spec: { fps: '60', shots: shots(['pan', 80, 2], ['cellauto', 70, 1], ['testsrc2', 70], ['shake', 60, 2]), joins: [xfade('fade', 36), xfade('fadewhite', 30), xfade('dissolve', 18)] } },
  { name: 'camera-motion-25', group: 'still', spec: { fps: '25', shots: shots(['pan', 90], ['zoom', 90], ['shake', 90], ['chart-pan', 90]) } },
  { name: 'still-and-zoom-2997-vp9', group: 'still', spec: { fps: '30000/1001', codec: 'vp9', shots: shots(['static', 80], ['mandelbrot', 100, 4], ['pan', 90, 1], ['gradients', 80, 3]) } },
  { name: 'stutter-cfr', group: 'stutter', spec: { stutter: { seed: 1, timing: 'cfr' }, shots: shots(['testsrc2', 60], ['life', 60], ['mandelbrot', 60], ['gradients', 50]) } },
  { name: 'stutter-vfr', group: 'stutter', spec: { stutter: { seed: 1, timing: 'vfr' }, shots: shots(['testsrc2', 60], ['life', 60], ['mandelbrot', 60], ['gradients', 50]) } },
  { name: 'stutter-noisy-vp9', group: 'stutter', spec: { stutter: { seed: 7, timing: 'cfr', noise: 3, dropShare: 0.15 }, codec: 'vp9', shots: shots(['cellauto', 50], ['shake', 60], ['pan', 50]) } },
  { name: 'dark-25', group: 'dark', spec: { fps: '25', post: 'eq=brightness=-0.3:contrast=0.5', shots: shots(['testsrc2', 45], ['mandelbrot', 45], ['pan', 45], ['life', 45], ['gradients', 45], ['shake', 45]) } },
  { name: 'dark-room-2997-mpeg4', group: 'dark', spec: { fps: '30000/1001', codec: 'mpeg4', post: 'eq=brightness=-0.3:contrast=0.5', shots: shots(['dark-room', 120], ['zoom', 50, 2], ['dark-room', 90, 1], ['static', 40]) } },
  { name: 'flashes-2997', group: 'flash', spec: { fps: '30000/1001', shots: [
    { look: 'testsrc2', frames: 60, filter: whiteFlash(25, 1) }, { look: 'mandelbrot', frames: 60, filter: cameraFlash(20) }, { look: 'gradients', frames: 60, filter: whiteFlash(48, 2) }, { look: 'shake', frames: 50 }] } },
];
