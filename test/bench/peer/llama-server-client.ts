// A typed sliver of llama-server's native HTTP API, as the bench and tests use it.
// Field names follow tools/server (server-task.cpp, server-common.cpp) of the bundled release.

export interface LlamaServerTimings {
  /** Prompt tokens reused from the slot's KV cache. */
  cache_n: number;
  /** Prompt tokens evaluated by this request. */
  prompt_n: number;
  prompt_ms: number;
  prompt_per_second: number;
  predicted_n: number;
  predicted_ms: number;
  predicted_per_second: number;
}

export interface CompletionRequest {
  prompt: string | (string | number)[];
  n_predict?: number;
  temperature?: number;
  top_k?: number;
  seed?: number;
  cache_prompt?: boolean;
  ignore_eos?: boolean;
  /** Returns the generated token ids in `tokens`. */
  return_tokens?: boolean;
  id_slot?: number;
  [key: string]: unknown;
}

export interface CompletionResponse {
  content: string;
  tokens: number[];
  tokens_predicted: number;
  tokens_evaluated: number;
  tokens_cached: number;
  stop_type: string;
  timings: LlamaServerTimings;
}

export interface InfillRequest extends Omit<CompletionRequest, "prompt"> {
  input_prefix: string;
  input_suffix: string;
  prompt?: string;
  input_extra?: { filename?: string; text: string }[];
}

/** Long enough for a 2,048-token prompt on a real-size model at a few tokens per second. */
const REQUEST_TIMEOUT_MS = 15 * 60_000;

async function post<T>(url: string, path: string, body: unknown, timeoutMs = REQUEST_TIMEOUT_MS): Promise<T> {
  const res = await fetch(`${url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`llama-server ${path}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

export async function tokenize(url: string, content: string, addSpecial = false): Promise<number[]> {
  const r = await post<{ tokens: number[] }>(url, "/tokenize", { content, add_special: addSpecial });
  return r.tokens;
}

export async function detokenize(url: string, tokens: readonly number[]): Promise<string> {
  const r = await post<{ content: string }>(url, "/detokenize", { tokens });
  return r.content;
}

export function completion(url: string, request: CompletionRequest): Promise<CompletionResponse> {
  return post<CompletionResponse>(url, "/completion", { stream: false, ...request });
}

export function infill(url: string, request: InfillRequest): Promise<CompletionResponse> {
  return post<CompletionResponse>(url, "/infill", { stream: false, ...request });
}
