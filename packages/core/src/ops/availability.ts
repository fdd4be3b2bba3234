// What the operations that run ffmpeg check before saying they are available.
import { resolveTools } from '../media/index.js';
import { listInstalledModels, type ModelFamily } from '../models/index.js';
import { isFramewrightError } from '../protocol/index.js';
import type { Availability } from './types.js';

/** Unavailable, with ffmpeg's reason, when ffmpeg and ffprobe cannot be run here; else undefined. */
export async function ffmpegUnavailable(): Promise<Availability | undefined> {
  try {
    await resolveTools();
    return undefined;
  } catch (error) {
    return { available: false, reason: isFramewrightError(error) ? error.message : 'ffmpeg cannot be run' };
  }
}

/** Available, listing the installed packs of `family` that verify (none listed when there are none). */
export async function availableWithPacks(family: ModelFamily): Promise<Availability> {
  const models = (await listInstalledModels()).filter((m) => m.family === family && m.status === 'ok').map((m) => m.id);
  return models.length === 0 ? { available: true } : { available: true, models };
}
