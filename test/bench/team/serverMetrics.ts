// The server's own account of the time it spent, from its Prometheus /metrics: llama-server's
// counters (started with --metrics) count cancelled requests too, which the timings in each
// response cannot (a cancelled stream never gets its last chunk). vLLM's request histograms are
// read the same way; a server with neither leaves the bench to the responses' timings.

/** `name{labels} value` lines → value by name (labels dropped, values of the same name summed). */
export function parsePrometheus(text: string): Map<string, number> {
  const values = new Map<string, number>();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const match = /^([A-Za-z_:][A-Za-z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const value = Number(match[3]);
    if (!Number.isFinite(value)) continue;
    values.set(match[1]!, (values.get(match[1]!) ?? 0) + value);
  }
  return values;
}

/** Counters whose sum is the server's busy time in seconds, per server kind, first match wins. */
const busySecondCounters: readonly (readonly string[])[] = [
  // llama-server: prompt evaluation (wall time of the batches) + generation (per slot, summed).
  ["llamacpp:prompt_seconds_total", "llamacpp:tokens_predicted_seconds_total"],
  // vLLM: per finished request, prefill + decode.
  ["vllm:request_prefill_time_seconds_sum", "vllm:request_decode_time_seconds_sum"],
];

/** Seconds the server says it spent on prompts and generation so far, or undefined if it does not say. */
export function serverBusySeconds(metrics: ReadonlyMap<string, number>): number | undefined {
  const names = busySecondCounters.find((set) => set.every((name) => metrics.has(name)));
  return names?.reduce((sum, name) => sum + metrics.get(name)!, 0);
}

/** Prompt tokens the server evaluated (not taken from its cache), where it counts them. */
export function evaluatedPromptTokens(metrics: ReadonlyMap<string, number>): number | undefined {
  return metrics.get("llamacpp:prompt_tokens_total");
}

/** The server's /metrics (beside /v1, not under it), or an empty map when it has none. */
export async function fetchServerMetrics(baseUrl: string, headers: Record<string, string> = {}): Promise<Map<string, number>> {
  try {
    const response = await fetch(`${baseUrl.replace(/\/+$/, "").replace(/\/v1$/, "")}/metrics`, { headers, signal: AbortSignal.timeout(5_000) });
    return response.ok ? parsePrometheus(await response.text()) : new Map();
  } catch {
    return new Map();
  }
}
