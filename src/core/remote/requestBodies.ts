// Request bodies for OpenAI-compatible servers, per flavor. Pure: the HTTP backend sends them.
import type { ChatMessage, ChatRequest } from "../engine/chatEngine.js";
import type { InfillRequest } from "../engine/completionEngine.js";
import { schemaInstruction } from "./jsonAnswer.js";
import { fimTokenPrompt, suffixModeParts } from "./fimText.js";
import { flavorCapabilities, type FimMode, type ServerFlavor } from "./serverFlavor.js";

export interface BodyContext {
  flavor: ServerFlavor;
  /** Omitted when the server serves one model and none was configured. */
  model?: string;
  /** User settings merged into every generation body (e.g. `chat_template_kwargs`, `top_k`). */
  extraBody?: Record<string, unknown>;
}

interface OpenAiMessage {
  role: string;
  content: string | null;
  tool_calls?: { id: string; type: "function"; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
  prefix?: boolean;
  reasoning_content?: string;
}

export function toOpenAiMessage(message: ChatMessage): OpenAiMessage {
  if (message.role === "assistant" && message.toolCalls?.length) {
    return {
      role: "assistant",
      content: message.content,
      tool_calls: message.toolCalls.map((call) => ({ id: call.id, type: "function", function: { name: call.name, arguments: call.arguments } })),
      ...(message.reasoning ? { reasoning_content: message.reasoning } : {}),
    };
  }
  if (message.role === "tool") return { role: "tool", content: message.content, tool_call_id: message.toolCallId ?? "" };
  return { role: message.role, content: message.content };
}

export interface ChatBody {
  body: Record<string, unknown>;
  /** DeepSeek serves chat prefix completion under /beta only. */
  beta: boolean;
}

export function chatBody(request: ChatRequest, context: BodyContext): ChatBody {
  const caps = flavorCapabilities[context.flavor];
  const messages = request.messages.map(toOpenAiMessage);
  const body: Record<string, unknown> = {
    ...context.extraBody,
    ...(context.model ? { model: context.model } : {}),
    stream: true,
    stream_options: { include_usage: true },
    max_tokens: request.maxTokens,
    temperature: request.temperature ?? 0,
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
  };
  if (request.tools?.length) {
    body.tools = request.tools.map((tool) => ({
      type: "function",
      function: { name: tool.name, description: tool.description, parameters: tool.parameters },
    }));
  }
  if (request.jsonSchema) {
    if (caps.jsonSchema) {
      body.response_format = { type: "json_schema", json_schema: { name: "answer", strict: true, schema: request.jsonSchema } };
    } else {
      // json_object mode enforces JSON but not the schema: the schema goes into the conversation.
      body.response_format = { type: "json_object" };
      messages.unshift({ role: "system", content: schemaInstruction(request.jsonSchema) });
    }
  }
  let beta = false;
  if (request.assistantPrefix) {
    if (caps.assistantPrefix === "deepseekPrefix") {
      messages.push({ role: "assistant", content: request.assistantPrefix, prefix: true });
      beta = true;
    } else {
      messages.push({ role: "assistant", content: request.assistantPrefix });
      if (caps.assistantPrefix === "continueFinalMessage") {
        body.continue_final_message = true;
        body.add_generation_prompt = false;
      }
    }
  }
  body.messages = messages;
  return { body, beta };
}

/** The body of a FIM request to /v1/completions (`suffix` or `fimTokens` mode). */
export function completionsFimBody(request: InfillRequest, mode: "suffix" | "fimTokens", context: BodyContext): Record<string, unknown> {
  const text =
    mode === "suffix"
      ? suffixModeParts(request.prefix, request.suffix, request.extraContext)
      : { prompt: fimTokenPrompt(request.prefix, request.suffix, request.extraContext) };
  return {
    ...context.extraBody,
    ...(context.model ? { model: context.model } : {}),
    ...text,
    max_tokens: request.maxTokens,
    temperature: request.temperature ?? 0,
    ...(request.stopStrings?.length ? { stop: request.stopStrings } : {}),
    stream: true,
    stream_options: { include_usage: true },
  };
}

/** The body of llama-server's /infill: the server applies the FIM tokens and reuses its KV cache. */
export function llamaInfillBody(request: InfillRequest, extraBody: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...extraBody,
    input_prefix: request.prefix,
    input_suffix: request.suffix,
    input_extra: (request.extraContext ?? []).map((chunk) => ({ filename: chunk.filename, text: chunk.text })),
    n_predict: request.maxTokens,
    temperature: request.temperature ?? 0,
    ...(request.stopStrings?.length ? { stop: request.stopStrings } : {}),
    cache_prompt: true,
    stream: true,
  };
}

/**
 * The body of Ollama's /api/generate for FIM (https://github.com/ollama/ollama/blob/main/docs/api.md):
 * `prompt` + `suffix` through the model's template, which places the FIM tokens; or, for a template
 * without insert support, `raw` with the DeepSeek FIM tokens written out. Sampling goes in `options`.
 */
export function ollamaGenerateBody(request: InfillRequest, context: BodyContext, raw: boolean): Record<string, unknown> {
  const text = raw
    ? { prompt: fimTokenPrompt(request.prefix, request.suffix, request.extraContext), raw: true }
    : suffixModeParts(request.prefix, request.suffix, request.extraContext);
  const extraOptions = context.extraBody?.options;
  return {
    ...context.extraBody,
    ...(context.model ? { model: context.model } : {}),
    ...text,
    stream: true,
    options: {
      ...(extraOptions && typeof extraOptions === "object" ? extraOptions : {}),
      num_predict: request.maxTokens,
      temperature: request.temperature ?? 0,
      ...(request.stopStrings?.length ? { stop: request.stopStrings } : {}),
    },
  };
}
