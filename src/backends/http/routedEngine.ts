// Engines that stand between a feature and the backend serving it, for per-feature backend choice
// (vscode/backendSelection.ts): one that routes each call to the backend selected at that moment,
// and one for a remote backend whose settings are unusable.
import { EngineError } from "../../protocol/engine.js";
import type { Engine } from "../../core/engine/engine.js";

/** The Engine calls that go, as they are, to whichever backend serves the feature. */
const forwardedCalls = ["modelInfo", "tokenize", "infill", "warmUp", "chat", "generate", "prefill"] as const satisfies readonly (keyof Engine)[];
type ForwardedCalls = Pick<Engine, (typeof forwardedCalls)[number]>;

function eachForwardedCall(call: (name: keyof ForwardedCalls, args: unknown[]) => unknown): ForwardedCalls {
  return Object.fromEntries(forwardedCalls.map((name) => [name, (...args: unknown[]) => call(name, args)])) as unknown as ForwardedCalls;
}

// The forwarded calls are assigned in the constructor; the interface gives them their types.
export interface RoutedEngine extends ForwardedCalls {}
/** Routes every call to whichever engine serves the feature now; owns nothing. */
export class RoutedEngine implements Engine {
  constructor(private readonly current: () => Engine) {
    Object.assign(
      this,
      eachForwardedCall((name, args) => (this.current()[name] as (...args: unknown[]) => unknown)(...args)),
    );
  }

  get kind(): Engine["kind"] {
    return this.current().kind;
  }

  cacheStats = (signal?: AbortSignal) => {
    const engine = this.current();
    return engine.cacheStats ? engine.cacheStats(signal) : Promise.reject(new EngineError("remoteUnsupported", "The remote backend keeps no cache statistics here."));
  };
  clearCache = async () => {
    await this.current().clearCache?.();
  };
  /** The selector owns the engines behind it. */
  dispose = () => Promise.resolve();
}

export interface UnavailableEngine extends ForwardedCalls {}
/** Stands in for a remote engine whose settings are unusable: every call says what to fix. */
export class UnavailableEngine implements Engine {
  readonly kind = "http";

  constructor(problem: string) {
    Object.assign(
      this,
      eachForwardedCall(() => Promise.reject(new EngineError("engineUnavailable", problem))),
    );
  }

  dispose = () => Promise.resolve();
}
