// A chat turn on the local engine: the model's own template, on a sequence that keeps the
// conversation's KV so the next turn evaluates only what is new.
//
// Tools: a local model has no function-calling API, so when tools are offered the turn starts with
// a grammar-constrained step (core/chat/toolStep.ts): the model writes {"tool":…} or
// {"tool":"none"} after the assistant tag. A tool choice ends the turn with `toolCalls`; "none" (or
// a step that does not validate) continues with the answer on the same prompt, whose KV the step
// just evaluated, so the step costs only its few generated tokens.
import { detectChatTemplate, renderChatPrompt } from "../../core/chat/chatTemplate.js";
import { parseToolStep, toolStepInstructions, toolStepSchema } from "../../core/chat/toolStep.js";
import { EngineError, type GenerateResult } from "../../protocol/engine.js";
import type { ChatMessage, ChatRequest, ChatResult, Engine, GenerationOptions, ToolDefinition } from "../engine.js";

/** Enough for a bounded step object; the schema's bounds keep real steps far below it. */
const toolStepMaxTokens = 192;

function withToolInstructions(messages: readonly ChatMessage[], tools: readonly ToolDefinition[]): ChatMessage[] {
  const system = messages.filter((m) => m.role === "system");
  const rest = messages.filter((m) => m.role !== "system");
  return [...system, { role: "system", content: toolStepInstructions(tools) }, ...rest];
}

export async function runLocalChat(engine: Engine, request: ChatRequest, options: GenerationOptions): Promise<ChatResult> {
  const model = await engine.modelInfo(options.signal);
  const kind = detectChatTemplate(model.chatTemplate);
  const sequence = request.sequence ?? "chat";
  const tools = request.tools?.length && !request.assistantPrefix && !request.jsonSchema ? request.tools : undefined;
  const messages = tools ? withToolInstructions(request.messages, tools) : request.messages;

  let step: GenerateResult | undefined;
  if (tools) {
    try {
      step = await engine.generate(
        {
          sequence,
          prompt: renderChatPrompt(kind, messages).prompt,
          maxTokens: toolStepMaxTokens,
          temperature: request.temperature ?? 0,
          seed: request.seed,
          jsonSchema: toolStepSchema(tools),
          timeoutMs: request.timeoutMs,
        },
        { signal: options.signal },
      );
    } catch (error) {
      // A step that never closed is no tool call: answer instead.
      if (!(error instanceof EngineError && error.code === "tokenLimit")) throw error;
    }
    if (step?.stopReason === "aborted") return { ...step, text: "" };
    const parsed = step ? parseToolStep(step.text, tools) : undefined;
    if (step && parsed?.kind === "tool") return { text: "", stopReason: step.stopReason, metrics: step.metrics, toolCalls: [parsed.call] };
  }

  const rendered = renderChatPrompt(kind, messages, request.assistantPrefix);
  const answer = await engine.generate(
    {
      sequence,
      prompt: rendered.prompt,
      maxTokens: request.maxTokens,
      temperature: request.temperature ?? 0,
      seed: request.seed,
      stopStrings: request.jsonSchema ? [] : rendered.stopStrings,
      jsonSchema: request.jsonSchema,
      timeoutMs: request.timeoutMs,
    },
    options,
  );
  if (!step) return answer;
  // The user waited for the step too: count its time in the answer's latency figures.
  const m = answer.metrics;
  const before = step.metrics.totalMs;
  return { ...answer, metrics: { ...m, firstTokenMs: m.firstTokenMs === null ? null : m.firstTokenMs + before, totalMs: m.totalMs + before } };
}
