// models-pull (protocol 1.2): `framewright models pull` as a job, so SDK clients and host scripts
// install a model on the server they talk to. The Hub endpoint and token are the server's own
// (its environment's HF_ENDPOINT and HF_TOKEN): the params cannot name them, and nothing of the
// token reaches a progress event, a result or a log line. A cancelled pull leaves nothing.
import { hubConfig, parseRepoRef, pullModel, type PullProgress } from '../../models/index.js';
import type { ModelsPullProgress } from '../../protocol/index.js';
import type { Operation } from '../types.js';

/** Least time between two download progress events (a pull reports every chunk). */
const PROGRESS_INTERVAL_MS = 200;

/** The models-pull operation: a pack pulled into the server's model folder (`models/` in its config folder). */
export const modelsPullOperation: Operation<'models-pull'> = {
  name: 'models-pull',
  async availability() {
    try {
      if (hubConfig().offline) return { available: false, reason: 'HF_HUB_OFFLINE is set on this server: it downloads no models' };
    } catch (error) {
      return { available: false, reason: error instanceof Error ? error.message : String(error) };
    }
    return { available: true };
  },
  async check(params) {
    parseRepoRef(params.repo);
    return {};
  },
  async run(params, { signal, onProgress }) {
    let last = 0;
    let filesDone = -1;
    const download = (p: PullProgress) => {
      const now = Date.now();
      // Every finished file is reported; the bytes in between at most every PROGRESS_INTERVAL_MS.
      if (p.filesDone === filesDone && now - last < PROGRESS_INTERVAL_MS) return;
      last = now;
      filesDone = p.filesDone;
      const event: ModelsPullProgress = {
        stage: 'download',
        fraction: p.bytesTotal > 0 ? Math.min(0.99, p.bytesDone / p.bytesTotal) : 0,
        bytesDone: p.bytesDone,
        bytesTotal: p.bytesTotal,
        bytesPerSecond: p.bytesPerSecond,
        filesDone: p.filesDone,
        filesTotal: p.filesTotal,
        ...(p.etaSeconds === undefined ? {} : { etaSeconds: p.etaSeconds }),
      };
      onProgress(event);
    };
    const pulled = await pullModel(params.repo, {
      ...(params.acceptLicence === undefined ? {} : { acceptLicence: params.acceptLicence }),
      ...(params.id === undefined ? {} : { id: params.id }),
      ...(params.family === undefined ? {} : { family: params.family }),
      ...(params.include === undefined ? {} : { include: params.include }),
      signal,
      keepOnCancel: false,
      onLicence: (licence) => onProgress({ stage: 'licence', fraction: 0, licence: licence.name, ...(licence.needsAcceptance === undefined ? {} : { message: `${licence.name}: ${licence.needsAcceptance}` }) }),
      onProgress: download,
    });
    onProgress({ stage: 'install', fraction: 1, filesDone: pulled.files.length, filesTotal: pulled.files.length });
    return {
      id: pulled.manifest.id,
      family: pulled.manifest.family,
      dir: pulled.dir,
      repo: pulled.manifest.source?.repo ?? parseRepoRef(params.repo).repo,
      commit: pulled.commit,
      licence: { ...pulled.licence },
      files: pulled.files.length,
      bytes: pulled.bytes,
      resumedBytes: pulled.resumedBytes,
      upToDate: pulled.upToDate,
    };
  },
};
