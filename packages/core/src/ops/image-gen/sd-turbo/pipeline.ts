// SD-Turbo (and other Stable-Diffusion ONNX exports in the diffusers folder layout, from Optimum
// or onnxruntime): CLIP text encoder → Euler sampling of the UNet's noise prediction → VAE
// decoder. SDXL-Turbo (Optimum) adds a second text encoder: the penultimate hidden states of
// both, side by side, are the UNet's context, and the second's projected pooled embedding and the
// size conditioning (time ids) are two more UNet inputs. float16 exports run as they are: the
// sessions convert float16 inputs and outputs at the boundary, so the maths here stays float32.
import type { RgbImage } from '../../../image/index.js';
import { isMissingKernel, packFile, type ModelPack, type RecommendedSettings } from '../../../models/index.js';
import { cancelled, FramewrightError } from '../../../protocol/errors.js';
import { openOnnxSession, type OnnxSession, type OnnxTensorValue } from '../../../runtime/onnx-session.js';
import { resolveOnnxProviders } from '../../../runtime/onnx-providers.js';
import { Rng } from '../../../transformer/random.js';
import type { GeneratedImage, GenerationRequest, ImageGenerator, StepListener } from '../generator.js';
import { ClipTokenizer } from './clip-tokenizer.js';
import { eulerStep, planSampling, predictOriginal, scaleModelInput } from './scheduler.js';

/** The names the Optimum export gives each model's inputs and outputs. */
export const SD_ONNX_NAMES = Object.freeze({
  textEncoder: { input: 'input_ids', output: 'last_hidden_state' },
  /** SDXL's encoders export every layer's output (`hidden_states.0` = the embeddings … `hidden_states.N`); the second also its projection. */
  sdxlTextEncoder: { hiddenStates: 'hidden_states.', pooled: 'text_embeds' },
  unet: { sample: 'sample', timestep: 'timestep', context: 'encoder_hidden_states', textEmbeds: 'text_embeds', timeIds: 'time_ids', output: 'out_sample' },
  vaeDecoder: { input: 'latent_sample', output: 'sample' },
});

/** A prompt as the UNet takes it: the context, and for SDXL the pooled embedding. */
export interface PromptConditioning {
  /** `encoder_hidden_states`: `[1, tokens, width]`. */
  readonly hidden: OnnxTensorValue;
  /** SDXL: `text_embeds`, the second encoder's projected pooled output `[1, projection]`. */
  readonly pooled?: OnnxTensorValue;
  /** True when the prompt had more tokens than the encoder takes. */
  readonly truncated: boolean;
}

/**
 * The output SDXL takes from one of its text encoders: the penultimate layer's hidden states
 * (diffusers' `hidden_states[-2]`; ORTStableDiffusionXLPipeline's `outputs[-2]`, the one before
 * the last `hidden_states.N`).
 * @throws FramewrightError `MODEL_INVALID` when the encoder exports fewer than two hidden states
 */
export function penultimateHiddenState(session: OnnxSession): string {
  const prefix = SD_ONNX_NAMES.sdxlTextEncoder.hiddenStates;
  const layers = session.outputs.map((o) => o.name).filter((n) => n.startsWith(prefix)).map((n) => Number(n.slice(prefix.length))).filter(Number.isInteger);
  if (layers.length < 2) throw new FramewrightError('MODEL_INVALID', `${session.what} exports no hidden states (it has ${session.outputs.map((o) => o.name).join(', ')}); SDXL needs ${prefix}N of every layer (Optimum exports them with output_hidden_states)`);
  return `${prefix}${Math.max(...layers) - 1}`;
}

/** `[1, S, A]` and `[1, S, B]` → `[1, S, A + B]`. */
function concatLastAxis(a: OnnxTensorValue, b: OnnxTensorValue): OnnxTensorValue {
  const [, seq, wa] = a.dims as [number, number, number];
  const [, seqB, wb] = b.dims as [number, number, number];
  if (a.dims.length !== 3 || b.dims.length !== 3 || seq !== seqB) throw new FramewrightError('MODEL_INVALID', `SDXL's text encoders returned [${a.dims.join(', ')}] and [${b.dims.join(', ')}]; expected [1, tokens, width] of the same tokens`);
  const x = a.data as Float32Array;
  const y = b.data as Float32Array;
  const out = new Float32Array(seq * (wa + wb));
  for (let t = 0; t < seq; t++) {
    out.set(x.subarray(t * wa, (t + 1) * wa), t * (wa + wb));
    out.set(y.subarray(t * wb, (t + 1) * wb), t * (wa + wb) + wa);
  }
  return { data: out, dims: [1, seq, wa + wb] };
}

/**
 * SDXL's size conditioning, `time_ids`: original size, crop top-left, target size, as
 * `(height, width, top, left, height, width)` (StableDiffusionXLPipeline's `_get_add_time_ids`
 * with `original_size = target_size` = the asked size and no crop).
 */
export function sdxlTimeIds(width: number, height: number): Float32Array {
  return Float32Array.of(height, width, 0, 0, height, width);
}

/** SD-Turbo steps beyond this add nothing (it is distilled for 1–4). */
export const SD_TURBO_MAX_STEPS = 4;

/** Approximate latent → RGB of Stable Diffusion's VAE, for cheap step previews. */
const LATENT_RGB = [
  [0.298, 0.207, 0.208],
  [0.187, 0.286, 0.173],
  [-0.158, 0.189, 0.264],
  [-0.184, -0.271, -0.473],
];


function requireSignature(session: OnnxSession, names: readonly string[], kind: 'input' | 'output'): void {
  const have = (kind === 'input' ? session.inputs : session.outputs).map((v) => v.name);
  for (const name of names) {
    if (!have.includes(name)) throw new FramewrightError('MODEL_INVALID', `${session.what} has no ${kind} ${name} (it has ${have.join(', ')})`);
  }
}

/**
 * The refusal for an export that runs on CUDA only (onnxruntime/sd-turbo: Olive-optimised float16
 * with CUDA-only fused operators; its model card says it does not run on CPU or DirectML), on a
 * machine whose sessions use another provider.
 */
async function cudaOnlyRefusal(pack: ModelPack, provider: string, detail?: string): Promise<FramewrightError> {
  const report = await resolveOnnxProviders();
  const cuda = report.attempts.find((a) => a.name === 'cuda');
  const why = cuda === undefined ? `ONNX Runtime sessions here use ${provider}` : cuda.status !== 'ok' ? `this machine has no CUDA (cuda: ${cuda.detail})` : `sessions here use ${provider}`;
  return new FramewrightError(
    'BACKEND_UNAVAILABLE',
    `${pack.manifest.id} (${pack.manifest.source?.repo ?? 'a float16 export optimised for CUDA'}) runs only on CUDA, as its model card says (it cannot run on CPU or DirectML); ${why}${detail === undefined ? '' : ` (${detail})`}. On CPU use SD-Turbo's Optimum float32 export: \`optimum-cli export onnx --model stabilityai/sd-turbo sd-turbo-onnx\`, then \`framewright models import sd-turbo-onnx\``,
  );
}

/** The second text encoder of an SDXL pack, with its tokenizer, and the hidden state each encoder gives the UNet. */
interface SecondEncoder {
  readonly tokenizer: ClipTokenizer;
  readonly session: OnnxSession;
  /** The first encoder's output taken ({@link penultimateHiddenState}). */
  readonly firstHidden: string;
  /** The second's. */
  readonly hidden: string;
}

/** A loaded SD-Turbo or SDXL-Turbo pack. */
export class SdTurboPipeline implements ImageGenerator {
  /** SD-Turbo draws at the requested size (latents are size / 8): no upscaling. */
  readonly upscales = false;
  /** 4: SD-Turbo is distilled for 1-4 steps. */
  readonly maxSteps = SD_TURBO_MAX_STEPS;

  private constructor(
    private readonly pack: ModelPack,
    private readonly recommended: RecommendedSettings,
    private readonly tokenizer: ClipTokenizer,
    private readonly textEncoder: OnnxSession,
    private readonly unet: OnnxSession,
    private readonly vae: OnnxSession,
    private readonly second?: SecondEncoder,
  ) {}

  /**
   * Opens the pack's tokenizer and its three ONNX models, and for an `sdxl-turbo` pack the second
   * tokenizer and text encoder (sessions are cached per file).
   * @throws FramewrightError `MODEL_INVALID` when a model lacks the expected inputs/outputs
   */
  static async load(pack: ModelPack): Promise<SdTurboPipeline> {
    const { diffusion, recommended } = pack.manifest;
    if (diffusion === undefined || recommended === undefined) throw new FramewrightError('MODEL_INVALID', `model pack ${pack.manifest.id} has no diffusion or recommended settings`);
    const provider = (await resolveOnnxProviders()).chosen;
    if (pack.manifest.runsOn !== undefined && !pack.manifest.runsOn.includes(provider)) throw await cudaOnlyRefusal(pack, provider);
    const tokenizer = await ClipTokenizer.fromFiles(packFile(pack, 'vocab'), packFile(pack, 'merges'), diffusion.maxTokens, diffusion.padToken);
    const sdxl = pack.manifest.family === 'sdxl-turbo';
    const roles = ['text_encoder', 'unet', 'vae_decoder', ...(sdxl ? ['text_encoder_2'] : [])];
    const [textEncoder, unet, vae, textEncoder2] = await Promise.all(roles.map((role) => openOnnxSession(packFile(pack, role)))).catch(async (error: unknown) => {
      // A pack made on a CUDA machine has no runsOn; its CUDA-only operators show when loading.
      if (provider !== 'cuda' && error instanceof FramewrightError && isMissingKernel(error.message)) throw await cudaOnlyRefusal(pack, provider, error.message);
      throw error;
    });
    const n = SD_ONNX_NAMES;
    requireSignature(textEncoder!, [n.textEncoder.input], 'input');
    const firstHidden = sdxl ? penultimateHiddenState(textEncoder!) : n.textEncoder.output;
    requireSignature(textEncoder!, [firstHidden], 'output');
    requireSignature(unet!, [n.unet.sample, n.unet.timestep, n.unet.context, ...(sdxl ? [n.unet.textEmbeds, n.unet.timeIds] : [])], 'input');
    requireSignature(unet!, [n.unet.output], 'output');
    requireSignature(vae!, [n.vaeDecoder.input], 'input');
    requireSignature(vae!, [n.vaeDecoder.output], 'output');
    let second: SecondEncoder | undefined;
    if (sdxl) {
      requireSignature(textEncoder2!, [n.textEncoder.input], 'input');
      const hidden = penultimateHiddenState(textEncoder2!);
      requireSignature(textEncoder2!, [n.sdxlTextEncoder.pooled, hidden], 'output');
      second = { session: textEncoder2!, firstHidden, hidden, tokenizer: await ClipTokenizer.fromFiles(packFile(pack, 'vocab_2'), packFile(pack, 'merges_2'), diffusion.maxTokens, diffusion.padToken2 ?? '!') };
    }
    return new SdTurboPipeline(pack, recommended, tokenizer, textEncoder!, unet!, vae!, second);
  }

  /** The pack's manifest id. */
  get id(): string {
    return this.pack.manifest.id;
  }
  /** The pack's recommended width (the default size). */
  get nativeWidth(): number {
    return this.recommended.width;
  }
  /** The pack's recommended height. */
  get nativeHeight(): number {
    return this.recommended.height;
  }
  /** The pack's recommended steps. */
  get defaultSteps(): number {
    return this.recommended.steps;
  }

  /**
   * Runs the text encoder on the prompt's CLIP token ids (fed as int32 or int64, as the model
   * declares). SDXL: both encoders, each on its own tokenizer's ids; the context is their
   * penultimate hidden states side by side (768 + 1280 = 2048 wide in SDXL), the pooled embedding
   * the second's `text_embeds`.
   */
  async encodePrompt(prompt: string): Promise<PromptConditioning> {
    const { ids, truncated } = this.tokenizer.encode(prompt);
    if (this.second === undefined) {
      const out = await this.textEncoder.run({ [SD_ONNX_NAMES.textEncoder.input]: idsFeed(this.textEncoder, ids) });
      return { hidden: out[SD_ONNX_NAMES.textEncoder.output]!, truncated };
    }
    const { session, tokenizer, firstHidden, hidden: secondHidden } = this.second;
    const ids2 = tokenizer.encode(prompt).ids;
    const first = await this.textEncoder.run({ [SD_ONNX_NAMES.textEncoder.input]: idsFeed(this.textEncoder, ids) });
    const second = await session.run({ [SD_ONNX_NAMES.textEncoder.input]: idsFeed(session, ids2) });
    const hidden = concatLastAxis(first[firstHidden]!, second[secondHidden]!);
    return { hidden, pooled: second[SD_ONNX_NAMES.sdxlTextEncoder.pooled]!, truncated };
  }

  private timestepFeed(t: number): OnnxTensorValue {
    const spec = this.unet.inputs.find((i) => i.name === SD_ONNX_NAMES.unet.timestep)!;
    const dims = spec.dims.length === 0 ? [] : [1];
    return spec.type === 'int64' ? { data: BigInt64Array.of(BigInt(Math.round(t))), dims } : { data: Float32Array.of(t), dims };
  }

  private async predictNoise(latents: Float32Array, dims: number[], t: number, prompt: PromptConditioning): Promise<Float32Array> {
    const n = SD_ONNX_NAMES.unet;
    const feeds: Record<string, OnnxTensorValue> = { [n.sample]: { data: latents, dims }, [n.timestep]: this.timestepFeed(t), [n.context]: prompt.hidden };
    if (this.second !== undefined) {
      const f = this.pack.manifest.diffusion!.vaeScaleFactor;
      feeds[n.textEmbeds] = prompt.pooled!;
      feeds[n.timeIds] = { data: sdxlTimeIds(dims[3]! * f, dims[2]! * f), dims: [1, 6] };
    }
    const out = await this.unet.run(feeds);
    return out[n.output]!.data as Float32Array;
  }

  /**
   * Text encoding, `request.steps` Euler steps from seeded noise (classifier-free guidance when
   * the pack recommends a scale above 1), VAE decoding.
   * @throws FramewrightError `INVALID_PARAMS` for a size the UNet cannot take; `CANCELLED`
   */
  async generate(request: GenerationRequest, onStep: StepListener, signal: AbortSignal): Promise<GeneratedImage> {
    const diffusion = this.pack.manifest.diffusion!;
    const { recommended } = this;
    const warnings: string[] = [];
    const f = diffusion.vaeScaleFactor;
    if (request.width % f !== 0 || request.height % f !== 0) {
      throw new FramewrightError('INVALID_PARAMS', `${this.id} generates sizes that are multiples of ${f}; got ${request.width}x${request.height}`);
    }
    const dims = [1, diffusion.latentChannels, request.height / f, request.width / f];
    const declared = this.unet.inputs.find((i) => i.name === SD_ONNX_NAMES.unet.sample)!.dims;
    if (declared.length !== 4 || declared.some((d, i) => i > 0 && typeof d === 'number' && d !== dims[i])) {
      throw new FramewrightError('INVALID_PARAMS', `${this.id}'s UNet takes latents [${declared.join(', ')}]; ${request.width}x${request.height} needs [${dims.join(', ')}]`);
    }
    const guidance = recommended.guidanceScale ?? 0;
    const cond = await this.encodePrompt(request.prompt);
    if (cond.truncated) warnings.push(`the prompt is longer than ${diffusion.maxTokens - 2} CLIP tokens; the rest was ignored`);
    const uncond = guidance > 1 ? await this.encodePrompt(request.negativePrompt ?? '') : undefined;
    if (guidance <= 1 && request.negativePrompt !== undefined && request.negativePrompt !== '') {
      warnings.push(`${this.id} runs without classifier-free guidance, so the negative prompt has no effect`);
    }
    if (signal.aborted) throw cancelled('image-gen');

    const plan = planSampling(diffusion, request.steps);
    const rng = new Rng(request.seed);
    const count = dims.reduce((a, b) => a * b, 1);
    let latents: Float32Array = Float32Array.from({ length: count }, () => rng.normal() * plan.initNoiseSigma);
    const ancestral = recommended.scheduler === 'euler-ancestral';
    for (let i = 0; i < plan.timesteps.length; i++) {
      const sigma = plan.sigmas[i]!;
      const input = scaleModelInput(latents, sigma);
      let noise: Float32Array = await this.predictNoise(input, dims, plan.timesteps[i]!, cond);
      if (uncond !== undefined) {
        const un = await this.predictNoise(input, dims, plan.timesteps[i]!, uncond);
        noise = un.map((u, k) => u + guidance * (noise[k]! - u));
      }
      if (signal.aborted) throw cancelled('image-gen');
      const original = predictOriginal(latents, noise, sigma, diffusion.predictionType);
      latents = eulerStep(latents, original, sigma, plan.sigmas[i + 1]!, ancestral, rng);
      onStep(i + 1, plan.timesteps.length, diffusion.latentChannels === 4 ? latentPreview(original, dims) : undefined);
    }
    const image = await this.decode(latents, dims);
    return { image, warnings };
  }

  /** VAE decoding: latents / scaling factor → decoder → [-1, 1] → RGB bytes. */
  async decode(latents: Float32Array, dims: number[]): Promise<RgbImage> {
    const scaled = latents.map((v) => v / this.pack.manifest.diffusion!.vaeScalingFactor);
    const out = await this.vae.run({ [SD_ONNX_NAMES.vaeDecoder.input]: { data: scaled, dims } });
    const sample = out[SD_ONNX_NAMES.vaeDecoder.output]!;
    const [, channels, height, width] = sample.dims as [number, number, number, number];
    if (sample.dims.length !== 4 || channels !== 3) throw new FramewrightError('MODEL_INVALID', `${this.vae.what} returned shape [${sample.dims.join(', ')}]; expected [1, 3, H, W]`);
    return planarToRgb(sample.data as Float32Array, width, height, (v) => (v / 2 + 0.5) * 255);
  }
}

/** Token ids as the encoder's `input_ids` declares them: int64 or int32. */
function idsFeed(session: OnnxSession, ids: readonly number[]): OnnxTensorValue {
  const type = session.inputs.find((i) => i.name === SD_ONNX_NAMES.textEncoder.input)!.type;
  return { data: type === 'int64' ? BigInt64Array.from(ids.map(BigInt)) : Int32Array.from(ids), dims: [1, ids.length] };
}

/** NCHW floats → interleaved RGB bytes through `toByte` (clamped, rounded). */
function planarToRgb(data: Float32Array, width: number, height: number, toByte: (v: number) => number): RgbImage {
  const plane = width * height;
  const rgb = new Uint8Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.min(255, Math.max(0, Math.round(toByte(data[c * plane + i]!))));
  }
  return { width, height, rgb };
}

/** The x̂₀ estimate through the approximate latent → RGB map, at latent resolution. */
function latentPreview(original: Float32Array, dims: readonly number[]): RgbImage {
  const [, , height, width] = dims as [number, number, number, number];
  const plane = width * height;
  const rgbPlanes = new Float32Array(plane * 3);
  for (let i = 0; i < plane; i++) {
    for (let c = 0; c < 3; c++) {
      let v = 0;
      for (let l = 0; l < 4; l++) v += original[l * plane + i]! * LATENT_RGB[l]![c]!;
      rgbPlanes[c * plane + i] = v;
    }
  }
  return planarToRgb(rgbPlanes, width, height, (v) => (v + 1) * 127.5);
}
