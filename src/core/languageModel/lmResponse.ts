// One vscode.lm request on our engine: the caller's messages and tools in our format, the answer
// streamed back as text, the model's tool calls as the caller's tool-call parts (the caller runs
// them and sends the results in its next request: VS Code's chat does the tool loop). Cancellation
// ends the engine request at once; failures reach the caller as one clear message.
import type { ChatEngine, ChatResult } from "../engine/chatEngine.js";
import { EngineError } from "../../protocol/engine.js";
import { toChatMessages, type LmMessage } from "./lmMessages.js";
import { toLmToolCall, toToolDefinitions, type LmTool } from "./lmTools.js";

export interface LmRequest {
  messages: readonly LmMessage[];
  tools?: readonly LmTool[];
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

/** Answers the request; resolves when the answer ended (finished, cut at its limit, or cancelled). */
export async function answerLmRequest(engine: ChatEngine, request: LmRequest, sink: LmResponseSink, signal?: AbortSignal): Promise<ChatResult | undefined> {
  const messages = toChatMessages(request.messages);
  if (!messages.some((message) => message.role !== "system")) throw new LmRequestError("DeepSeek Local: the request has no message to answer.", "invalidRequest");
  let result: ChatResult;
  try {
    result = await engine.chat(
      {
        messages,
        tools: toToolDefinitions(request.tools, { grammarSafe: request.grammarSafeTools }),
        maxTokens: request.maxTokens,
        temperature: request.temperature,
        sequence: "chat",
      },
      { signal, onText: (chunk) => chunk && sink.text(chunk) },
    );
  } catch (error) {
    if (signal?.aborted || (error instanceof EngineError && error.code === "cancelled")) return undefined;
    throw toLmRequestError(error);
  }
  if (result.stopReason === "aborted") return result;
  for (const call of result.toolCalls ?? []) {
    const outcome = toLmToolCall(call);
    if (outcome.ok) sink.toolCall(outcome);
    else sink.text(outcome.note);
  }
  return result;
}

export function toLmRequestError(error: unknown): LmRequestError {
  if (error instanceof LmRequestError) return error;
  if (error instanceof EngineError) return new LmRequestError(`DeepSeek Local: ${error.message}`, error.code);
  return new LmRequestError(`DeepSeek Local: the request failed: ${error instanceof Error ? error.message : String(error)}`, "internal");
}
