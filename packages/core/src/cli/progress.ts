import type { CliOutput } from './io.js';

/** The progress fields every operation reports (stage, fraction, ETA) plus clip-cut's speed. */
export interface ProgressLike {
  readonly stage: string;
  readonly fraction: number;
  readonly etaSeconds?: number;
  readonly framesPerSecond?: number;
  readonly message?: string;
  /** Extra text before the ETA (a download's `120.3 MB / 2.6 GB  12.1 MB/s`). */
  readonly detail?: string;
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** One line of the bar: `analyse  [#####-----]  42%  118 fps  ETA 0:07`, fitted to `columns`. */
export function renderProgress(p: ProgressLike, columns: number): string {
  const percent = `${String(Math.floor(p.fraction * 100)).padStart(3)}%`;
  const tail = [
    p.detail ?? '',
    p.framesPerSecond === undefined ? '' : `${Math.round(p.framesPerSecond)} fps`,
    p.etaSeconds === undefined ? '' : `ETA ${clock(p.etaSeconds)}`,
  ].filter((s) => s !== '').join('  ');
  const head = p.stage.padEnd(8);
  const room = columns - head.length - percent.length - tail.length - 8;
  const width = Math.max(0, Math.min(30, room));
  const filled = Math.round(Math.min(1, Math.max(0, p.fraction)) * width);
  const bar = width > 0 ? ` [${'#'.repeat(filled)}${'-'.repeat(width - filled)}]` : '';
  return `${head}${bar} ${percent}${tail === '' ? '' : `  ${tail}`}`.slice(0, Math.max(10, columns - 1));
}

/**
 * Draws a one-line progress bar on a terminal, redrawn in place at most ten times a second.
 * On anything that is not a terminal it draws nothing, so logs and pipes stay clean.
 */
export class ProgressBar {
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly out: CliOutput) {}

  /** Shows the latest progress (skipped when drawn less than 100 ms ago, unless it is done). */
  update(progress: ProgressLike): void {
    if (!this.out.isTTY) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && progress.fraction < 1) return;
    this.lastDraw = now;
    this.drawn = true;
    this.out.write(`\r\x1b[2K${renderProgress(progress, this.out.columns ?? 80)}`);
  }

  /** Clears the bar so the next output starts on a clean line. */
  clear(): void {
    if (!this.drawn) return;
    this.drawn = false;
    this.out.write('\r\x1b[2K');
  }
}
