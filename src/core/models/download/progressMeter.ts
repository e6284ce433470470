// Speed and time left of a download, from samples of the bytes received so far. A sliding window
// keeps the figure steady through bursts without lagging for minutes behind a change of speed.

export interface DownloadProgress {
  phase: "downloading" | "verifying";
  /** Bytes of the file on disk so far (including what an earlier session left in the .part file). */
  receivedBytes: number;
  /** The file's full size, or null while the server has not said. */
  totalBytes: number | null;
  /** Bytes per second over the last few seconds; 0 until two samples exist. */
  bytesPerSecond: number;
  /** Seconds left at the current speed, or null when unknown. */
  etaSeconds: number | null;
}

export class ProgressMeter {
  private samples: { at: number; bytes: number }[] = [];

  constructor(private readonly windowMs = 5000) {}

  /** Records that `bytes` are on disk at time `at` (ms). A drop in bytes (restart from zero) resets the window. */
  sample(at: number, bytes: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last && bytes < last.bytes) this.samples = [];
    this.samples.push({ at, bytes });
    while (this.samples.length > 2 && this.samples[0]!.at < at - this.windowMs) this.samples.shift();
  }

  get bytesPerSecond(): number {
    const first = this.samples[0];
    const last = this.samples[this.samples.length - 1];
    if (!first || !last || last.at <= first.at) return 0;
    return ((last.bytes - first.bytes) * 1000) / (last.at - first.at);
  }

  progress(receivedBytes: number, totalBytes: number | null, phase: DownloadProgress["phase"] = "downloading"): DownloadProgress {
    const speed = this.bytesPerSecond;
    const etaSeconds = totalBytes !== null && speed > 0 ? Math.max(0, (totalBytes - receivedBytes) / speed) : null;
    return { phase, receivedBytes, totalBytes, bytesPerSecond: speed, etaSeconds };
  }
}

const units = ["B", "KB", "MB", "GB", "TB"];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value.toFixed(0) : value.toFixed(1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

/** "1.2 GB of 10.4 GB · 25.3 MB/s · 6 min 2 s left" */
export function describeProgress(progress: DownloadProgress): string {
  if (progress.phase === "verifying") {
    return progress.totalBytes ? `verifying checksum: ${formatBytes(progress.receivedBytes)} of ${formatBytes(progress.totalBytes)}` : "verifying checksum";
  }
  const parts = [progress.totalBytes ? `${formatBytes(progress.receivedBytes)} of ${formatBytes(progress.totalBytes)}` : formatBytes(progress.receivedBytes)];
  if (progress.bytesPerSecond > 0) parts.push(`${formatBytes(progress.bytesPerSecond)}/s`);
  if (progress.etaSeconds !== null) parts.push(`${formatDuration(progress.etaSeconds)} left`);
  return parts.join(" · ");
}
