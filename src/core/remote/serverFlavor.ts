// Which kind of OpenAI-compatible server we talk to, and what each kind can do. The OpenAI chat API
// is common ground; fill-in-the-middle, JSON schemas, tokenization and raw prompts are not.

export const serverFlavors = ["llama-server", "vllm", "sglang", "deepseek", "ollama", "lmstudio", "openai"] as const;
export type ServerFlavor = (typeof serverFlavors)[number];

/**
 * How ghost text reaches the model:
 * - `infill`: llama-server /infill (prefix, suffix, extra files; the server applies the FIM tokens),
 * - `suffix`: /v1/completions with `prompt` + `suffix` (DeepSeek API beta, SGLang's completion template),
 * - `fimTokens`: /v1/completions with the DeepSeek FIM tokens written into the prompt (vLLM, which
 *   has no `suffix`: https://github.com/vllm-project/vllm/issues/9976; LM Studio),
 * - `ollamaGenerate`: Ollama's native /api/generate with `prompt` + `suffix` (the model's template
 *   places the FIM tokens), streamed as NDJSON; a template without insert support gets the FIM
 *   tokens written out in a `raw` prompt instead.
 */
export type FimMode = "infill" | "suffix" | "fimTokens" | "ollamaGenerate";
export const fimModes: readonly FimMode[] = ["infill", "suffix", "fimTokens", "ollamaGenerate"];

export interface FlavorCapabilities {
  fim: FimMode;
  /** `response_format: json_schema`; otherwise json_object plus the schema in the prompt. */
  jsonSchema: boolean;
  /** Token ids for prompt segments, /completion with mixed prompts, slots: generate/prefill/tokenize. */
  nativeLlama: boolean;
  /** POST /tokenize with `{model, prompt}` (vLLM). */
  openAiTokenize: boolean;
  /** How an assistant prefix is continued. */
  assistantPrefix: "lastMessage" | "continueFinalMessage" | "deepseekPrefix";
}

export const flavorCapabilities: Record<ServerFlavor, FlavorCapabilities> = {
  "llama-server": { fim: "infill", jsonSchema: true, nativeLlama: true, openAiTokenize: false, assistantPrefix: "lastMessage" },
  vllm: { fim: "fimTokens", jsonSchema: true, nativeLlama: false, openAiTokenize: true, assistantPrefix: "continueFinalMessage" },
  sglang: { fim: "suffix", jsonSchema: true, nativeLlama: false, openAiTokenize: false, assistantPrefix: "continueFinalMessage" },
  deepseek: { fim: "suffix", jsonSchema: false, nativeLlama: false, openAiTokenize: false, assistantPrefix: "deepseekPrefix" },
  // Ollama's OpenAI endpoint takes json_schema (0.5+) and continues a final assistant message.
  ollama: { fim: "ollamaGenerate", jsonSchema: true, nativeLlama: false, openAiTokenize: false, assistantPrefix: "lastMessage" },
  // LM Studio's /v1/completions has no `suffix`; its response_format takes json_schema only.
  lmstudio: { fim: "fimTokens", jsonSchema: true, nativeLlama: false, openAiTokenize: false, assistantPrefix: "lastMessage" },
  openai: { fim: "fimTokens", jsonSchema: true, nativeLlama: false, openAiTokenize: false, assistantPrefix: "lastMessage" },
};

export const flavorNames: Record<ServerFlavor, string> = {
  "llama-server": "llama-server",
  vllm: "vLLM",
  sglang: "SGLang",
  deepseek: "the DeepSeek API",
  ollama: "Ollama",
  lmstudio: "LM Studio",
  openai: "an OpenAI-compatible server",
};

/**
 * What the flavor probe saw: GET /props (llama-server), GET /v1/models, GET /api/version (Ollama)
 * and GET /api/v0/models (LM Studio's REST API). A missing endpoint is `undefined`.
 */
export interface FlavorProbe {
  baseUrl: string;
  props?: unknown;
  models?: unknown;
  ollamaVersion?: unknown;
  lmStudioModels?: unknown;
}

export function detectFlavor(probe: FlavorProbe): ServerFlavor {
  if (isDeepSeekApi(probe.baseUrl)) return "deepseek";
  const props = probe.props as { default_generation_settings?: unknown; build_info?: unknown } | undefined;
  if (props && typeof props === "object" && ("default_generation_settings" in props || "build_info" in props)) return "llama-server";
  // Ollama answers GET /api/version with {"version": "0.5.7"}; nothing else we know does.
  if (typeof (probe.ollamaVersion as { version?: unknown } | undefined)?.version === "string") return "ollama";
  const data = (probe.models as { data?: Array<{ owned_by?: unknown }> } | undefined)?.data;
  const owners = Array.isArray(data) ? data.map((model) => String(model?.owned_by ?? "").toLowerCase()) : [];
  if (owners.includes("llamacpp")) return "llama-server";
  if (owners.includes("vllm")) return "vllm";
  if (owners.includes("sglang")) return "sglang";
  // LM Studio lists its models as owned by "organization_owner"; its REST API says it for sure.
  if (isLmStudioModelList(probe.lmStudioModels) || owners.includes("organization_owner")) return "lmstudio";
  return "openai";
}

/** LM Studio's GET /api/v0/models: entries with `type` ("llm", "embeddings") and `state` ("loaded", "not-loaded"). */
function isLmStudioModelList(raw: unknown): boolean {
  const data = (raw as { data?: unknown } | undefined)?.data;
  return Array.isArray(data) && data.some((m) => !!m && typeof m === "object" && typeof (m as { state?: unknown }).state === "string" && "type" in m);
}

export function isDeepSeekApi(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).hostname.toLowerCase() === "api.deepseek.com";
  } catch {
    return false;
  }
}

/**
 * The server root without a trailing slash or `/v1` (users paste either form). Only http(s) URLs are
 * accepted; anything else is a settings mistake worth saying so.
 */
export function normalizeBaseUrl(value: string, setting = "deepseekLocal.remote.baseUrl"): string {
  const trimmed = value.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new Error(`"${trimmed}" is not a URL: set ${setting} to e.g. http://gpu-server:8080`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`${setting} must be an http:// or https:// URL, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new Error(`${setting} must not contain credentials: use the Set Remote API Key command`);
  }
  url.search = "";
  url.hash = "";
  const path = url.pathname.replace(/\/+$/, "").replace(/\/(v1|beta)$/, "");
  return `${url.origin}${path}`;
}

/**
 * The URL of an OpenAI-style endpoint. The DeepSeek API serves FIM and chat prefix completion only
 * under /beta (https://api-docs.deepseek.com/guides/fim_completion), so `beta` picks that root there.
 */
export function openAiUrl(baseUrl: string, flavor: ServerFlavor, endpoint: "chat/completions" | "completions" | "models", beta = false): string {
  const root = flavor === "deepseek" && beta ? "/beta" : "/v1";
  return `${baseUrl}${root}/${endpoint}`;
}
