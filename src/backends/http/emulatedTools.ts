// Tool calls on a server that cannot make them (e.g. llama-server with DeepSeek-Coder-V2-Lite's own
// template, which has no tool section): the same JSON tool step the local engine takes
// (core/chat/toolStep.ts), asked for with response_format, then the answer. Tools work on every
// backend; only how the model is asked differs.
import { coderToolStepText } from "../../core/chat/chatTemplate.js";
import { parseToolStep, toolStepInstructions, toolStepSchema } from "../../core/chat/toolStep.js";
import { EngineError } from "../../protocol/engine.js";
import type { ChatMessage, ChatRequest, ChatResult, GenerationOptions, ToolDefinition } from "../../core/engine/engine.js";

/** Enough for a bounded step object (as the local engine allows). */
const toolStepMaxTokens = 192;

type Chat = (request: ChatRequest, options: GenerationOptions) => Promise<ChatResult>;

/**
 * The conversation as a server without a tool role must see it: a tool request is the step the model
 * wrote, a tool result is the user's next message.
 */
export function withoutToolRoles(messages: readonly ChatMessage[], tools: readonly ToolDefinition[]): ChatMessage[] {
  const plain = messages.map((message): ChatMessage => {
    if (message.role === "tool") return { role: "user", content: `Tool result (${message.toolCallId ?? "tool"}):\n${message.content}` };
    if (message.role === "assistant" && message.toolCalls?.length) return { role: "assistant", content: coderToolStepText(message) };
    return message;
  });
  const system = plain.filter((m) => m.role === "system");
  const rest = plain.filter((m) => m.role !== "system");
  return [...system, { role: "system", content: toolStepInstructions(tools) }, ...rest];
}

export async function chatWithToolStep(chat: Chat, request: ChatRequest, options: GenerationOptions): Promise<ChatResult> {
  const tools = request.tools ?? [];
  const messages = withoutToolRoles(request.messages, tools);
  let step: ChatResult | undefined;
  try {
    step = await chat(
      { ...request, messages, tools: undefined, jsonSchema: toolStepSchema(tools), maxTokens: toolStepMaxTokens },
      { signal: options.signal },
    );
  } catch (error) {
    // A step that is not a valid choice is no tool call: answer instead, as the local engine does.
    if (!(error instanceof EngineError && error.code === "invalidJsonAnswer")) throw error;
  }
  // A step cut short (cancelled, or out of time) ends the turn: there is no time left to answer.
  if (step?.stopReason === "timeout" || step?.stopReason === "aborted") return { ...step, text: "" };
  const parsed = step ? parseToolStep(step.text, tools) : undefined;
  if (step && parsed?.kind === "tool") return { text: "", stopReason: step.stopReason, metrics: step.metrics, toolCalls: [parsed.call] };
  const answer = await chat({ ...request, messages, tools: undefined }, options);
  if (!step) return answer;
  const m = answer.metrics;
  const before = step.metrics.totalMs;
  return { ...answer, metrics: { ...m, firstTokenMs: m.firstTokenMs === null ? null : m.firstTokenMs + before, totalMs: m.totalMs + before } };
}
