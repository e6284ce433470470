import { describe, expect, it } from "vitest";
import { describeOutcome } from "../../../src/core/completion/describeOutcome.js";
import type { CompletionOutcome } from "../../../src/core/completion/completionPipeline.js";
import type { RequestMetrics } from "../../../src/protocol/engine.js";

const metrics: RequestMetrics = {
  promptTokens: 100, reusedTokens: 0, evaluatedTokens: 100, restoredTokens: 0, forcedTokens: 0, generatedTokens: 9,
  promptMs: 40, firstTokenMs: 50, generationMs: 200, totalMs: 250,
};
const outcome = (over: Partial<CompletionOutcome>): CompletionOutcome => ({ text: "x", source: "model", latencyMs: 123.4, metrics, ...over }) as CompletionOutcome;

describe("describeOutcome", () => {
  it("gives the latency and the generation rate of a model answer", () => {
    expect(describeOutcome(outcome({}))).toBe("$(zap) 123 ms · 45 tok/s");
  });

  it("adds the server's prompt cache where the server reports one (the DeepSeek API)", () => {
    expect(describeOutcome(outcome({ metrics: { ...metrics, serverCache: { hitTokens: 92, missTokens: 8 } } }))).toBe("$(zap) 123 ms · 45 tok/s · server cache 92%");
    expect(describeOutcome(outcome({ metrics: { ...metrics, serverCache: { hitTokens: 0, missTokens: 0 } } }))).toBe("$(zap) 123 ms · 45 tok/s");
  });

  it("says cached for an answer served without the model", () => {
    expect(describeOutcome(outcome({ source: "cache" }))).toBe("$(zap) cached");
  });
});
