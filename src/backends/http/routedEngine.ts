// Engines that stand between a feature and the backend serving it, for per-feature backend choice
// (vscode/backendSelection.ts): one that routes each call to the backend selected at that moment,
// and one for a remote backend whose settings are unusable.
import { EngineError } from "../../protocol/engine.js";
import type { Engine } from "../engine.js";

/** Routes every call to whichever engine serves the feature now; owns nothing. */
export class RoutedEngine implements Engine {
  constructor(private readonly current: () => Engine) {}

  get kind(): Engine["kind"] {
    return this.current().kind;
  }

  modelInfo: Engine["modelInfo"] = (...args) => this.current().modelInfo(...args);
  tokenize: Engine["tokenize"] = (...args) => this.current().tokenize(...args);
  infill: Engine["infill"] = (...args) => this.current().infill(...args);
  chat: Engine["chat"] = (...args) => this.current().chat(...args);
  generate: Engine["generate"] = (...args) => this.current().generate(...args);
  prefill: Engine["prefill"] = (...args) => this.current().prefill(...args);
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

/** Stands in for a remote engine whose settings are unusable: every call says what to fix. */
export class UnavailableEngine implements Engine {
  readonly kind = "http";

  constructor(private readonly problem: string) {}

  private fail(): Promise<never> {
    return Promise.reject(new EngineError("engineUnavailable", this.problem));
  }

  modelInfo = () => this.fail();
  tokenize = () => this.fail();
  infill = () => this.fail();
  chat = () => this.fail();
  generate = () => this.fail();
  prefill = () => this.fail();
  dispose = () => Promise.resolve();
}
