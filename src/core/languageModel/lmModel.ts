// The model that DeepSeek Local offers to VS Code's Language Model API: the one the user's settings
// give chat (the local engine's model, or the chat server's), described from what the backend
// reported, or from the settings while the local model is not loaded yet (listing it must not load
// several gigabytes; the first request does).
import type { ChatLocation } from "../chat/chatLocation.js";
import type { ModelInfo } from "../../protocol/engine.js";

export interface LmModelSource {
  location: ChatLocation;
  /** What the backend reported (a loaded local model, a probed server); undefined before that. */
  model: ModelInfo | undefined;
  /** deepseekLocal.model.path: names the local model before it is loaded. */
  modelPath: string;
  /** deepseekLocal.engine.contextSize: the local context before the model is loaded. */
  contextSize: number;
  /** deepseekLocal.chat.maxTokens: the longest answer. */
  maxTokens: number;
}

export interface LmModelDescription {
  id: string;
  name: string;
  family: string;
  version: string;
  detail: string;
  tooltip: string;
  maxInputTokens: number;
  maxOutputTokens: number;
  capabilities: { toolCalling: boolean; imageInput: boolean };
}

/** Tokens kept free of the prompt besides the answer: template scaffolding, the tool step's instructions. */
export const lmPromptReserveTokens = 256;

/** The model to list, or undefined when chat has none (a local backend with no model file set). */
export function describeLanguageModel(source: LmModelSource): LmModelDescription | undefined {
  const { location, model } = source;
  if (location.kind === "local" && !model && !source.modelPath) return undefined;
  const fileName = (model?.path ?? source.modelPath).split(/[\\/]/).pop() ?? "";
  const name = model?.name ?? (location.kind === "local" ? fileName.replace(/\.gguf$/i, "") : "");
  const contextSize = Math.max(512, model?.contextSize ?? source.contextSize);
  const maxOutputTokens = Math.max(16, Math.min(source.maxTokens, Math.floor(contextSize / 2)));
  const where = location.kind === "local" ? "this machine" : serverHost(location.baseUrl);
  const demo = model?.synthetic ? " (random-weights demo)" : "";
  return {
    id: location.kind,
    name: `${name || "DeepSeek"}${demo}`,
    family: "deepseek",
    version: name || fileName || "unknown",
    detail: location.kind === "local" ? "local" : where,
    tooltip: `DeepSeek Local: runs on ${where}; context ${contextSize} tokens${model ? "" : " (as configured; the model loads on the first request)"}.`,
    maxInputTokens: Math.max(1, contextSize - maxOutputTokens - lmPromptReserveTokens),
    maxOutputTokens,
    capabilities: { toolCalling: true, imageInput: false },
  };
}

function serverHost(baseUrl: string | undefined): string {
  try {
    return baseUrl ? new URL(baseUrl).host : "a remote server";
  } catch {
    return "a remote server";
  }
}

/**
 * The answer length and temperature a caller asked for in `modelOptions` (names as VS Code's chat
 * and OpenAI-style callers write them), bounded by the model's limits; untrusted input.
 */
export function lmGenerationLimits(modelOptions: Record<string, unknown> | undefined, model: Pick<LmModelDescription, "maxOutputTokens">): { maxTokens: number; temperature?: number } {
  const asked = [modelOptions?.maxTokens, modelOptions?.max_tokens, modelOptions?.maxOutputTokens].find((value) => typeof value === "number" && Number.isFinite(value)) as number | undefined;
  const maxTokens = asked === undefined ? model.maxOutputTokens : Math.max(1, Math.min(Math.floor(asked), model.maxOutputTokens));
  const temperature = modelOptions?.temperature;
  return typeof temperature === "number" && temperature >= 0 && temperature <= 2 ? { maxTokens, temperature } : { maxTokens };
}
