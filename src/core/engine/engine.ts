// The one object a backend gives the features: each feature takes only the part it needs
// (CompletionEngine, ChatEngine); the local-only extras are the prompt-segment API the local backend
// is built on, and the cache it keeps. Implementations: backends/local (the supervised engine
// process) and backends/http (a server).
import type { CacheStats, GenerateParams, GenerateResult, PrefillParams, RequestMetrics } from "../../protocol/engine.js";
import type { ChatEngine } from "./chatEngine.js";
import type { CompletionEngine } from "./completionEngine.js";
import type { GenerationOptions } from "./generation.js";

export type GenerationRequest = Omit<GenerateParams, "requestId" | "stream">;
export type PrefillRequest = Omit<PrefillParams, "requestId">;

export interface PromptSegmentEngine {
  /** Generate from prompt segments on a named sequence. */
  generate(request: GenerationRequest, options?: GenerationOptions): Promise<GenerateResult>;
  /** Evaluates a prompt ahead of time so that a later request starting with it reuses its KV. */
  prefill(request: PrefillRequest, signal?: AbortSignal): Promise<RequestMetrics>;
}

export interface CachingEngine {
  /** KV reuse and disk cache figures. */
  cacheStats(signal?: AbortSignal): Promise<CacheStats>;
  /** Empties the cache in memory and on disk. */
  clearCache(): Promise<void>;
}

export interface Engine extends CompletionEngine, ChatEngine, PromptSegmentEngine, Partial<CachingEngine> {
  dispose(): Promise<void>;
}

export type { ChatMessage, ChatRequest, ChatResult, ChatRole, ToolCall, ToolDefinition, TokenizeOptions } from "./chatEngine.js";
export type { CompletionEngine, ExtraContextChunk, InfillRequest, InfillWarmUp } from "./completionEngine.js";
export type { ChatEngine } from "./chatEngine.js";
export type { GenerationOptions } from "./generation.js";
