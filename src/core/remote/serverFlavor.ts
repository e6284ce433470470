// Which kind of OpenAI-compatible server we talk to, and what each kind can do. The OpenAI chat API
// is common ground; fill-in-the-middle, JSON schemas, tokenization and raw prompts are not.

export const serverFlavors = ["llama-server", "vllm", "sglang", "deepseek", "openai"] as const;
export type ServerFlavor = (typeof serverFlavors)[number];

/**
 * How ghost text reaches the model:
 * - `infill`: llama-server /infill (prefix, suffix, extra files; the server applies the FIM tokens),
 * - `suffix`: /v1/completions with `prompt` + `suffix` (DeepSeek API beta, SGLang's completion template),
 * - `fimTokens`: /v1/completions with the DeepSeek FIM tokens written into the prompt (vLLM, which
 *   has no `suffix`: https://github.com/vllm-project/vllm/issues/9976).
 */
export type FimMode = "infill" | "suffix" | "fimTokens";

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
  openai: { fim: "fimTokens", jsonSchema: true, nativeLlama: false, openAiTokenize: false, assistantPrefix: "lastMessage" },
};

export const flavorNames: Record<ServerFlavor, string> = {
  "llama-server": "llama-server",
  vllm: "vLLM",
  sglang: "SGLang",
  deepseek: "the DeepSeek API",
  openai: "an OpenAI-compatible server",
};

/** What the flavor probe saw: GET /props (llama-server only) and GET /v1/models. */
export interface FlavorProbe {
  baseUrl: string;
  props?: unknown;
  models?: unknown;
}

export function detectFlavor(probe: FlavorProbe): ServerFlavor {
  if (isDeepSeekApi(probe.baseUrl)) return "deepseek";
  const props = probe.props as { default_generation_settings?: unknown; build_info?: unknown } | undefined;
  if (props && typeof props === "object" && ("default_generation_settings" in props || "build_info" in props)) return "llama-server";
  const data = (probe.models as { data?: Array<{ owned_by?: unknown }> } | undefined)?.data;
  const owners = Array.isArray(data) ? data.map((model) => String(model?.owned_by ?? "").toLowerCase()) : [];
  if (owners.includes("llamacpp")) return "llama-server";
  if (owners.includes("vllm")) return "vllm";
  if (owners.includes("sglang")) return "sglang";
  return "openai";
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
export function normalizeBaseUrl(value: string): string {
  const trimmed = value.trim();
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw new Error(`"${trimmed}" is not a URL: set deepseekLocal.remote.baseUrl to e.g. http://gpu-server:8080`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`deepseekLocal.remote.baseUrl must be an http:// or https:// URL, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw new Error("deepseekLocal.remote.baseUrl must not contain credentials: use the Set Remote API Key command");
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
