// What an EngineSupervisor is given, and the states it reports (engineSupervisor.ts).
import type { EngineError, LoadParams, ModelInfo } from "../protocol/engine.js";
import type { RestartPolicyOptions } from "./restartPolicy.js";
import type { SharedEngineOptions } from "./sharedEngine.js";
import type { EngineTimeLimits } from "./timeLimits.js";

export type EngineState =
  | { kind: "stopped" }
  | { kind: "starting" }
  | { kind: "ready"; model: ModelInfo; pid: number; shared?: boolean }
  | { kind: "loadFailed"; error: EngineError }
  | { kind: "restarting"; attempt: number; delayMs: number; reason: string }
  | { kind: "failed"; message: string };

export interface EngineSupervisorOptions {
  /** The built engine entry (dist/engine.mjs). */
  enginePath: string;
  /** What to load; read at every (re)start so a restart picks up changed settings. */
  loadParams: () => LoadParams | undefined;
  log?: (line: string) => void;
  /** Things the user should hear about once (e.g. the disk cache turned off on a full disk). */
  onWarning?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
  restartPolicy?: RestartPolicyOptions;
  /** How long a graceful stop may take before the process is killed (same as timeLimits.stopGraceMs). */
  stopTimeoutMs?: number;
  /** Time limits of loads and requests; defaults in timeLimits.ts. */
  timeLimits?: Partial<EngineTimeLimits>;
  /**
   * Share one engine among all of this user's windows (sharedEngine.ts) instead of forking one for
   * this window. A crash, a restart and the time limits work as for a forked engine; a stop ends
   * this window's connection, and the engine only when no other window uses it (see stop()). Read at each (re)start: undefined forks an engine for this window.
   */
  shared?: () => Pick<SharedEngineOptions, "idleExitMs" | "startTimeoutMs"> | undefined;
}
