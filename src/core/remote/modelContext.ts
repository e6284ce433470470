// The context size of a remote model when the server does not say it (issue 20): the DeepSeek API's
// /models lists ids only, vLLM without `max_model_len`, Ollama and LM Studio's OpenAI endpoints.
// An explicit table of the models we know, by id; names are not parsed for "32k"-style hints (a
// name is a label anyone can choose). Anything else gets a default small enough for any model we
// would be pointed at: a context that is too small wastes room, one that is too large fails turns.

/** Known model ids (lower case, without an `org/` prefix) → context size in tokens. */
export const knownContextSizes: Readonly<Record<string, number>> = {
  // The DeepSeek API (https://api-docs.deepseek.com/quick_start/pricing): 64K. Newer releases
  // behind the same ids are documented at 128K by some sources; the smaller figure is the safe one.
  "deepseek-chat": 65_536,
  "deepseek-coder": 65_536,
  "deepseek-reasoner": 65_536,
  // DeepSeek-Coder-V2: the model cards say "context length 128K" (config.json's
  // max_position_embeddings is 163840; the card's figure is what was trained and evaluated).
  "deepseek-coder-v2-lite-instruct": 131_072,
  "deepseek-coder-v2-lite-base": 131_072,
  "deepseek-coder-v2-instruct": 131_072,
  "deepseek-coder-v2-base": 131_072,
  "deepseek-coder-v2-lite": 131_072,
  "deepseek-coder-v2": 131_072,
  // DeepSeek-Coder (1.3B / 6.7B / 33B): the model cards say a window size of 16K.
  "deepseek-coder-1.3b-instruct": 16_384,
  "deepseek-coder-1.3b-base": 16_384,
  "deepseek-coder-6.7b-instruct": 16_384,
  "deepseek-coder-6.7b-base": 16_384,
  "deepseek-coder-33b-instruct": 16_384,
  "deepseek-coder-33b-base": 16_384,
};

/** For a model neither the server nor the table describes. */
export const defaultContextSize = 8192;

/** The table's context size for a model id (`deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct` too). */
export function knownContextSize(modelId: string | null | undefined): number | undefined {
  if (!modelId) return undefined;
  const name = modelId.trim().toLowerCase().split("/").pop()!;
  return knownContextSizes[name];
}

/**
 * The context size to fit prompts into: the first positive figure the server gave (in the order
 * given), else the table's, else the default. Never 0 or negative.
 */
export function remoteContextSize(modelId: string | null | undefined, reported: readonly (number | null | undefined)[]): number {
  return remoteContext(modelId, reported).size;
}

/** Where a remote context size came from: what Test Remote Connection tells the user. */
export type ContextSource = "server" | "table" | "default";

export function remoteContext(modelId: string | null | undefined, reported: readonly (number | null | undefined)[]): { size: number; source: ContextSource } {
  for (const value of reported) {
    if (typeof value === "number" && Number.isFinite(value) && value > 0) return { size: Math.floor(value), source: "server" };
  }
  const known = knownContextSize(modelId);
  return known ? { size: known, source: "table" } : { size: defaultContextSize, source: "default" };
}

/**
 * Ollama runs a model with `num_ctx` tokens (its default, not the model's trained length, unless the
 * Modelfile or OLLAMA_CONTEXT_LENGTH says otherwise) and silently drops what does not fit.
 */
export const ollamaDefaultContextSize = 4096;

/**
 * The context Ollama gives a model, from POST /api/show: `num_ctx` in its `parameters` text when the
 * Modelfile sets it, else Ollama's default capped by `model_info["<arch>.context_length"]`.
 */
export function ollamaContextSize(show: unknown): number | undefined {
  if (!show || typeof show !== "object") return undefined;
  const { parameters, model_info: modelInfo } = show as { parameters?: unknown; model_info?: unknown };
  const numCtx = typeof parameters === "string" ? /^\s*num_ctx\s+(\d+)\s*$/m.exec(parameters)?.[1] : undefined;
  if (numCtx && Number(numCtx) > 0) return Number(numCtx);
  const trained =
    modelInfo && typeof modelInfo === "object"
      ? Object.entries(modelInfo).find(([key, value]) => key.endsWith(".context_length") && typeof value === "number" && value > 0)?.[1]
      : undefined;
  return typeof trained === "number" ? Math.min(trained, ollamaDefaultContextSize) : ollamaDefaultContextSize;
}

/**
 * The context LM Studio gives a model, from GET /api/v0/models: the loaded context when the model is
 * loaded, else the most it can be loaded with.
 */
export function lmStudioContextSize(models: unknown, modelId: string | undefined): number | undefined {
  const data = (models as { data?: unknown } | undefined)?.data;
  if (!Array.isArray(data)) return undefined;
  const entry = data.find((m) => !!m && typeof m === "object" && (m as { id?: unknown }).id === modelId) as
    | { loaded_context_length?: unknown; max_context_length?: unknown }
    | undefined;
  for (const value of [entry?.loaded_context_length, entry?.max_context_length]) {
    if (typeof value === "number" && value > 0) return value;
  }
  return undefined;
}
