// One vscode.lm request on our engine: the caller's messages and tools in our format, the answer
// streamed back as text, the model's tool calls as the caller's tool-call parts (the caller runs
// them and sends the results in its next request: VS Code's chat does the tool loop). Cancellation
// ends the engine request at once; failures reach the caller as one clear message.
import type { ChatEngine, ChatResult, ToolCall } from "../engine/chatEngine.js";
import { EngineError } from "../../protocol/engine.js";
import { toChatMessages, type LmMessage } from "./lmMessages.js";
import { requiredToolCall } from "./lmRequiredTool.js";
import { toLmToolCall, toToolDefinitions, type LmTool } from "./lmTools.js";

export interface LmRequest {
  messages: readonly LmMessage[];
  tools?: readonly LmTool[];
  /** "required": the model must call one of the tools (VS Code's LanguageModelChatToolMode.Required). */
  toolMode?: "auto" | "required";
  maxTokens: number;
  temperature?: number;
  /** The local engine: tool schemas become a grammar, so they are narrowed to what one takes. */
  grammarSafeTools: boolean;
}

export interface LmResponseSink {
  text(chunk: string): void;
  toolCall(call: { callId: string; name: string; input: object }): void;
}

/** A failure told to the vscode.lm caller: the message says what happened and what to do. */
export class LmRequestError extends Error {
  constructor(message: string, readonly code: string) {
    super(message);
    this.name = "LmRequestError";
  }
}

/**
 * Answers the request; resolves when the answer ended (finished, cut at its limit, or cancelled),
 * with the engine's result where an answer was generated (undefined for a required tool call).
 */
export async function answerLmRequest(engine: ChatEngine, request: LmRequest, sink: LmResponseSink, signal?: AbortSignal): Promise<ChatResult | undefined> {
  const messages = toChatMessages(request.messages);
  if (!messages.some((message) => message.role !== "system")) throw new LmRequestError("DeepSeek Local: the request has no message to answer.", "invalidRequest");
  const tools = toToolDefinitions(request.tools, { grammarSafe: request.grammarSafeTools });
  let result: ChatResult;
  try {
    const required = tools && request.toolMode === "required" ? await requiredToolCall(engine, { messages, tools, temperature: request.temperature }, { signal }) : undefined;
    if (signal?.aborted) return undefined;
    if (required) {
      emitToolCalls([required], sink);
      return undefined;
    }
    // Without a valid required call (its object did not validate), the model answers or picks a tool as usual.
    result = await engine.chat(
      { messages, tools, maxTokens: request.maxTokens, temperature: request.temperature, sequence: "chat" },
      { signal, onText: (chunk) => chunk && sink.text(chunk) },
    );
  } catch (error) {
    if (signal?.aborted || (error instanceof EngineError && error.code === "cancelled")) return undefined;
    throw toLmRequestError(error);
  }
  if (result.stopReason !== "aborted") emitToolCalls(result.toolCalls ?? [], sink);
  return result;
}

function emitToolCalls(calls: readonly ToolCall[], sink: LmResponseSink): void {
  for (const call of calls) {
    const outcome = toLmToolCall(call);
    if (outcome.ok) sink.toolCall(outcome);
    else sink.text(outcome.note);
  }
}

export function toLmRequestError(error: unknown): LmRequestError {
  if (error instanceof LmRequestError) return error;
  if (error instanceof EngineError) return new LmRequestError(`DeepSeek Local: ${error.message}`, error.code);
  return new LmRequestError(`DeepSeek Local: the request failed: ${error instanceof Error ? error.message : String(error)}`, "internal");
}
