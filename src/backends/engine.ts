// The one interface every feature talks to. Implementations: the local engine process
// (backends/local) and, for teams with a shared server, an HTTP backend.
import type { GenerateParams, GenerateResult, ModelInfo, PrefillParams, RequestMetrics } from "../protocol/engine.js";

export type GenerationRequest = Omit<GenerateParams, "requestId" | "stream">;
export type PrefillRequest = Omit<PrefillParams, "requestId">;

export interface GenerationOptions {
  signal?: AbortSignal;
  /** Receives the answer as it is generated; chunks never split a character or show a stop string. */
  onText?: (text: string) => void;
}

export interface Engine {
  readonly kind: "local" | "http";
  /** Starts the backend if needed and describes the model it serves. */
  modelInfo(signal?: AbortSignal): Promise<ModelInfo>;
  tokenize(text: string, options?: { parseSpecial?: boolean; signal?: AbortSignal }): Promise<number[]>;
  generate(request: GenerationRequest, options?: GenerationOptions): Promise<GenerateResult>;
  /** Evaluates a prompt ahead of time so that a later request starting with it reuses its KV. */
  prefill(request: PrefillRequest, signal?: AbortSignal): Promise<RequestMetrics>;
  dispose(): Promise<void>;
}
