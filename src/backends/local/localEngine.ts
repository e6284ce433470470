// The Engine served by our own supervised engine process.
import { randomUUID } from "node:crypto";
import path from "node:path";
import { CacheStats, GenerateResult, Methods, ModelInfo, RequestMetrics, type LoadParams } from "../../protocol/engine.js";
import { EngineSupervisor, type EngineSupervisorOptions } from "../../supervisor/engineSupervisor.js";
import type { ChatRequest, ChatResult, Engine, GenerationOptions, GenerationRequest, InfillRequest, InfillWarmUp, PrefillRequest } from "../../core/engine/engine.js";
import { runLocalChat } from "./localChat.js";
import { runLocalInfill, warmLocalInfill } from "./localInfill.js";

export class LocalEngine implements Engine {
  readonly kind = "local";

  constructor(readonly supervisor: EngineSupervisor) {}

  async modelInfo(signal?: AbortSignal): Promise<ModelInfo> {
    signal?.throwIfAborted();
    return (await this.supervisor.ensureRunning()).model;
  }

  async tokenize(text: string, options: { parseSpecial?: boolean; signal?: AbortSignal } = {}): Promise<number[]> {
    const result = await this.supervisor.request(Methods.tokenize, { text, parseSpecial: options.parseSpecial ?? false }, options.signal);
    return result.tokens;
  }

  infill(request: InfillRequest, options: GenerationOptions = {}): Promise<GenerateResult> {
    return runLocalInfill(this, request, options);
  }

  warmUp(request: InfillWarmUp, signal?: AbortSignal): Promise<void> {
    return warmLocalInfill(this, request, signal);
  }

  chat(request: ChatRequest, options: GenerationOptions = {}): Promise<ChatResult> {
    return runLocalChat(this, request, options);
  }

  async generate(request: GenerationRequest, options: GenerationOptions = {}): Promise<GenerateResult> {
    const requestId = randomUUID();
    const raw = await this.supervisor.request(
      Methods.generate,
      { ...request, requestId, stream: !!options.onText },
      options.signal,
      options.onText,
    );
    return GenerateResult.parse(raw);
  }

  async prefill(request: PrefillRequest, signal?: AbortSignal): Promise<RequestMetrics> {
    const raw = await this.supervisor.request(Methods.prefill, { ...request, requestId: randomUUID() }, signal);
    return RequestMetrics.parse(raw.metrics);
  }

  async cacheStats(signal?: AbortSignal): Promise<CacheStats> {
    return CacheStats.parse(await this.supervisor.request(Methods.cacheStats, {}, signal));
  }

  async clearCache(): Promise<void> {
    await this.supervisor.request(Methods.cacheClear, {});
  }

  /** The window is closing: a shared engine stays for its idle time, for a window reopened soon. */
  dispose(): Promise<void> {
    return this.supervisor.stop({ keepSharedEngine: true });
  }
}

export interface LocalEngineOptions extends LoadParams, Pick<EngineSupervisorOptions, "log" | "env" | "restartPolicy" | "onWarning"> {
  /** The built engine entry; defaults to dist/engine.mjs of this checkout. */
  enginePath?: string;
}

/** A local engine for one model file: what scripts, tests and the bench use. */
export function createLocalEngine(options: LocalEngineOptions): LocalEngine {
  const { enginePath, log, env, restartPolicy, onWarning, ...load } = options;
  return new LocalEngine(
    new EngineSupervisor({
      enginePath: enginePath ?? path.resolve("dist", "engine.mjs"),
      loadParams: () => load,
      log,
      env,
      restartPolicy,
      onWarning,
    }),
  );
}
