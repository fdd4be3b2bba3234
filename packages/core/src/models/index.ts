// Model packs: a folder with framewright-model.json and the files it lists.
export {
  DIFFUSION_FAMILIES,
  MODEL_FAMILIES,
  MODEL_MANIFEST_NAME,
  ModelManifestSchema,
  REQUIRED_ROLES,
  TEXT_TO_IMAGE_FAMILIES,
  packFile,
  readModelPack,
  type ModelFamily,
  type ModelFile,
  type ModelManifest,
  type ModelPack,
  type ModelSource,
  type OnnxSignatureEntry,
  type RecommendedSettings,
} from './manifest.js';
export { MODELS_DIR_ENV, describePack, findModelPack, findPackDirs, listInstalledModels, modelSearchDirs, type InstalledModel, type ModelSearchOptions } from './registry.js';
export { sha256File, verifyModelPack, type FileCheck, type PackVerification } from './verify.js';
export { writeSdTurboManifest, type SdTurboManifestOptions } from './create.js';
export { writeShotDetectionManifest, type ShotDetectionManifestOptions } from './create-shot-detection.js';
export { writeFrameInterpolationManifest, type FrameInterpolationManifestOptions } from './create-frame-interpolation.js';
export { writeSpeechToTextManifest, type SpeechToTextManifestOptions } from './create-speech-to-text.js';
export {
  SHOT_MODEL_DEFAULT_NAMES,
  SHOT_MODEL_FRAME,
  SHOT_MODEL_WINDOW,
  ShotDetectionSettingsSchema,
  shotModelIo,
  type ShotDetectionSettings,
  type ShotModelIo,
} from './shot-detection.js';
export { DEFAULT_HF_ENDPOINT, hubConfig, type HubConfig } from './hub.js';
export { pullModel, parseRepoRef, type PullOptions, type PullProgress, type PullResult } from './pull.js';
export { importModel, type ImportResult } from './import.js';
export { detectLayout, DIFFUSERS_ONNX_LAYOUT, SDXL_OPTIMUM_LAYOUT, SINGLE_ONNX_INTERPOLATION_LAYOUT, SINGLE_ONNX_SHOT_LAYOUT, WHISPER_OPTIMUM_LAYOUT, type ExportLayout } from './layouts.js';
export { repoLicence, type RepoLicence } from './licence.js';
export { isMissingKernel } from './create.js';
export {
  WHISPER_AUDIO,
  WHISPER_NAMES,
  WhisperGenerationConfigSchema,
  whisperModelIo,
  type WhisperGenerationConfig,
  type WhisperModelIo,
} from './speech-to-text.js';
