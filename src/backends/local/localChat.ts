// A chat turn on the local engine: the model's own template, on a sequence that keeps the
// conversation's KV so the next turn evaluates only what is new.
//
// Tools: a local model has no function-calling API, so when tools are offered the turn starts with
// the grammar-constrained JSON step of core/chat/toolStep.ts (shared with servers that cannot call
// tools, backends/http/emulatedTools.ts): the model writes {"tool":…} or {"tool":"none"} after the
// assistant tag. A tool choice ends the turn with `toolCalls`; "none" continues with the answer on
// the same prompt, whose KV the step just evaluated, so the step costs only its generated tokens.
import { detectChatTemplate, renderChatPrompt } from "../../core/chat/chatTemplate.js";
import { EngineError } from "../../protocol/engine.js";
import { chatWithToolStep } from "../http/emulatedTools.js";
import type { ChatRequest, ChatResult, Engine, GenerationOptions } from "../../core/engine/engine.js";

async function generateChat(engine: Engine, request: ChatRequest, options: GenerationOptions): Promise<ChatResult> {
  const model = await engine.modelInfo(options.signal);
  const rendered = renderChatPrompt(detectChatTemplate(model.chatTemplate), request.messages, request.assistantPrefix);
  return engine.generate(
    {
      sequence: request.sequence ?? "chat",
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
}

export function runLocalChat(engine: Engine, request: ChatRequest, options: GenerationOptions): Promise<ChatResult> {
  if (!request.tools?.length || request.assistantPrefix || request.jsonSchema) return generateChat(engine, request, options);
  return chatWithToolStep(
    async (step, stepOptions) => {
      try {
        return await generateChat(engine, step, stepOptions);
      } catch (error) {
        // A step that never closed within its bound is not a valid choice: answer instead.
        if (step.jsonSchema && error instanceof EngineError && error.code === "tokenLimit") throw new EngineError("invalidJsonAnswer", error.message);
        throw error;
      }
    },
    request,
    options,
  );
}
