// What ghost text needs from a backend: fill-in-the-middle and a warm-up of the prompt it will send.
import type { GenerateResult } from "../../protocol/engine.js";
import type { GenerationOptions } from "./generation.js";

/** A chunk of code from another file, placed before the prefix as extra FIM context. */
export interface ExtraContextChunk {
  filename: string;
  text: string;
}

export interface InfillRequest {
  prefix: string;
  suffix: string;
  extraContext?: readonly ExtraContextChunk[];
  maxTokens: number;
  /** Lines the suggestion can show: the engine stops once the answer has them (stopReason "lineLimit"). */
  maxLines?: number;
  timeoutMs?: number;
  stopStrings?: string[];
  temperature?: number;
  /** Sampling of an alternative suggestion (alternatives.ts); a greedy request leaves them out. */
  topK?: number;
  topP?: number;
  seed?: number;
}

/** The prompt of a future infill request, evaluated ahead of time. */
export type InfillWarmUp = Pick<InfillRequest, "prefix" | "suffix" | "extraContext" | "timeoutMs">;

export interface CompletionEngine {
  /** "local" starts requests as the user types; a server (maybe paid) is asked only when VS Code asks. */
  readonly kind: "local" | "http";
  /** Fill-in-the-middle completion (ghost text). */
  infill(request: InfillRequest, options?: GenerationOptions): Promise<GenerateResult>;
  /** Evaluates (and caches) the prompt a later infill with these texts starts with; answers nothing. */
  warmUp(request: InfillWarmUp, signal?: AbortSignal): Promise<void>;
}
