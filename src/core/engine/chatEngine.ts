// What chat and refactors need from a backend: a chat turn, the model's description and, where the
// backend has one, its tokenizer (chat counts on the client otherwise).
import type { GenerateResult, ModelInfo } from "../../protocol/engine.js";
import type { GenerationOptions } from "./generation.js";

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
  /**
   * On assistant messages that asked for tools: the thinking that led to the calls. A thinking-mode
   * server (the DeepSeek API) refuses a later request whose tool-call messages lack it.
   */
  reasoning?: string;
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
  /** A reasoning model's thinking (remote reasoners only); not part of `text`; kept with tool calls only. */
  reasoning?: string;
}

export interface TokenizeOptions {
  parseSpecial?: boolean;
  signal?: AbortSignal;
}

export interface ChatEngine {
  /** Starts the backend if needed and describes the model it serves. */
  modelInfo(signal?: AbortSignal): Promise<ModelInfo>;
  /** A chat turn: streamed answer, optional tool calls, optional JSON-schema answer. */
  chat(request: ChatRequest, options?: GenerationOptions): Promise<ChatResult>;
  /**
   * The model's own token ids. A backend without a tokenizer rejects with `remoteUnsupported`, and
   * callers count on the client instead.
   */
  tokenize(text: string, options?: TokenizeOptions): Promise<number[]>;
}
