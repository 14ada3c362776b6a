import cliProgress from 'cli-progress';
import type { BenchProgress } from './run-benchmark.js';

/** A live bar on stderr; nothing at all when stderr is not a terminal or JSON is asked for. */
export function createProgressReporter(enabled: boolean): { update(progress: BenchProgress): void; stop(): void } {
  if (!enabled || !process.stderr.isTTY) return { update() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: ' {bar} {percentage}% | {eta_formatted} left | {phase} {cell}', hideCursor: true, clearOnComplete: true, etaBuffer: 40 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(progress) {
      const scaled = Math.round(progress.done * 100);
      const payload = { phase: progress.phase, cell: progress.cell ?? progress.group };
      if (!started) {
        bar.start(progress.total * 100, scaled, payload);
        started = true;
      } else {
        bar.setTotal(progress.total * 100);
        bar.update(scaled, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
