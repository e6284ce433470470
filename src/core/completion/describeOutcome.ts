// The status bar's words for the last ghost-text answer.
import type { CompletionOutcome } from "./completionPipeline.js";

/**
 * "120 ms · 45 tok/s" for a model answer, with the server's prompt cache where it reports one
 * (the DeepSeek API: "· server cache 92%"); "cached" for one served without the model.
 */
export function describeOutcome(outcome: CompletionOutcome): string {
  if (outcome.source === "cache") return "$(zap) cached";
  const metrics = outcome.metrics;
  const tps = metrics && metrics.generationMs > 0 ? ` · ${Math.round((metrics.generatedTokens / metrics.generationMs) * 1000)} tok/s` : "";
  const cache = metrics?.serverCache;
  const prompt = cache ? cache.hitTokens + cache.missTokens : 0;
  const serverCache = cache && prompt > 0 ? ` · server cache ${Math.round((cache.hitTokens / prompt) * 100)}%` : "";
  return `$(zap) ${Math.round(outcome.latencyMs)} ms${tps}${serverCache}`;
}
