// A chat turn on the local engine: the model's own template, on a sequence that keeps the
// conversation's KV so the next turn evaluates only what is new.
import { detectChatTemplate, renderChatPrompt } from "../../core/chat/chatTemplate.js";
import type { ChatRequest, ChatResult, Engine, GenerationOptions } from "../engine.js";

export async function runLocalChat(engine: Engine, request: ChatRequest, options: GenerationOptions): Promise<ChatResult> {
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
