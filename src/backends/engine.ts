// The one interface every feature talks to. Implementations: the local engine process
// (backends/local) and, for teams with a shared server, an HTTP backend (backends/http).
// Features call the feature-level methods (infill, chat); `generate`/`prefill` are the low-level
// prompt-segment API that the local backend is built on.
import type { CacheStats, GenerateParams, GenerateResult, ModelInfo, PrefillParams, RequestMetrics } from "../protocol/engine.js";

export type GenerationRequest = Omit<GenerateParams, "requestId" | "stream">;
export type PrefillRequest = Omit<PrefillParams, "requestId">;

export interface GenerationOptions {
  signal?: AbortSignal;
  /** Receives the answer as it is generated; chunks never split a character or show a stop string. */
  onText?: (text: string) => void;
}

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
  timeoutMs?: number;
  stopStrings?: string[];
  temperature?: number;
}

export type ChatRole = "system" | "user" | "assistant" | "tool";

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the model wrote them: a JSON object text, validated by the caller. */
  arguments: string;
}

export interface ChatMessage {
  role: ChatRole;
  content: string;
  /** On assistant messages: the tools the model asked to run. */
  toolCalls?: ToolCall[];
  /** On tool messages: which call this answers. */
  toolCallId?: string;
}

export interface ToolDefinition {
  name: string;
  description: string;
  /** JSON Schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface ChatRequest {
  messages: readonly ChatMessage[];
  tools?: readonly ToolDefinition[];
  /** Continue an answer that starts with this text (DeepSeek's chat prefix completion). */
  assistantPrefix?: string;
  /** Constrain the answer to this JSON Schema (grammar locally, response_format remotely). */
  jsonSchema?: Record<string, unknown>;
  maxTokens: number;
  temperature?: number;
  seed?: number;
  timeoutMs?: number;
  /** Which local sequence keeps this conversation's KV; remote backends ignore it. */
  sequence?: "chat" | "refactor";
}

export interface ChatResult extends GenerateResult {
  toolCalls?: ToolCall[];
}

export interface Engine {
  readonly kind: "local" | "http";
  /** Starts the backend if needed and describes the model it serves. */
  modelInfo(signal?: AbortSignal): Promise<ModelInfo>;
  tokenize(text: string, options?: { parseSpecial?: boolean; signal?: AbortSignal }): Promise<number[]>;
  /** Fill-in-the-middle completion (ghost text). */
  infill(request: InfillRequest, options?: GenerationOptions): Promise<GenerateResult>;
  /** A chat turn: streamed answer, optional tool calls, optional JSON-schema answer. */
  chat(request: ChatRequest, options?: GenerationOptions): Promise<ChatResult>;
  /** Low-level: generate from prompt segments on a named sequence. */
  generate(request: GenerationRequest, options?: GenerationOptions): Promise<GenerateResult>;
  /** Evaluates a prompt ahead of time so that a later request starting with it reuses its KV. */
  prefill(request: PrefillRequest, signal?: AbortSignal): Promise<RequestMetrics>;
  /** KV reuse and disk cache figures, where the backend keeps a cache of its own. */
  cacheStats?(signal?: AbortSignal): Promise<CacheStats>;
  clearCache?(): Promise<void>;
  dispose(): Promise<void>;
}
