// How long the engine may take: a model load (scaled by the file's size) and each request. Past a
// limit the supervisor kills the process and says so, rather than wait for ever on a stuck engine
// (issue 19, item 10: a crafted header kept a load busy for minutes while memory grew past 4 GB).
// Pure, so the numbers are tested without a process.

export interface EngineTimeLimits {
  /** A load of any file may take this long... */
  loadFloorMs: number;
  /** ...plus this much per GiB of model file (reading it from a slow disk, repacking weights)... */
  loadPerGiBMs: number;
  /** ...and never longer than this. */
  loadCeilingMs: number;
  /** Generation and prefill: a long chat turn on a CPU (a cold 8k-token prompt ≈ 5 min on V2-Lite). */
  generationMs: number;
  /** Every other request (tokenize, status, cache): answered in well under a second when healthy. */
  requestMs: number;
  /** After a request is cancelled at its limit, how long the engine has to answer before it is killed. */
  cancelGraceMs: number;
  /** How long a graceful stop may take before the process is killed. */
  stopGraceMs: number;
  /** How long to wait for a killed process to be gone before giving up on it (and saying so). */
  killConfirmMs: number;
}

const minute = 60_000;

export const defaultTimeLimits: EngineTimeLimits = {
  loadFloorMs: 2 * minute,
  loadPerGiBMs: 30_000,
  loadCeilingMs: 20 * minute,
  generationMs: 15 * minute,
  requestMs: 2 * minute,
  cancelGraceMs: 30_000,
  stopGraceMs: 3_000,
  killConfirmMs: 5_000,
};

export function resolveTimeLimits(overrides: Partial<EngineTimeLimits> = {}): EngineTimeLimits {
  const limits = { ...defaultTimeLimits };
  for (const [key, value] of Object.entries(overrides) as [keyof EngineTimeLimits, number | undefined][]) {
    if (typeof value === "number" && Number.isFinite(value) && value > 0) limits[key] = value;
  }
  return limits;
}

/** The time a load of a file of `fileBytes` may take (the floor when the size is unknown). */
export function loadTimeLimitMs(fileBytes: number | undefined, limits: EngineTimeLimits): number {
  const scaled = limits.loadFloorMs + ((fileBytes ?? 0) / 1024 ** 3) * limits.loadPerGiBMs;
  return Math.round(Math.min(limits.loadCeilingMs, Math.max(limits.loadFloorMs, scaled)));
}

const longMethods: ReadonlySet<string> = new Set(["engine/generate", "engine/prefill"]);

/** The time a request of this method may take before it is cancelled. */
export function requestTimeLimitMs(method: string, limits: EngineTimeLimits): number {
  return longMethods.has(method) ? limits.generationMs : limits.requestMs;
}

/** "90 s", "2.5 min": limits in messages. */
export function describeDuration(ms: number): string {
  return ms < 2 * minute ? `${Math.round(ms / 1000)} s` : `${Math.round((ms / minute) * 10) / 10} min`;
}
