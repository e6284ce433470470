// The status bar's words for an answer without a generation time or without metrics at all
// (describeOutcome.ts): they must read as a latency, never "Infinity tok/s" or a crash.
import { describe, expect, it } from "vitest";
import { describeOutcome } from "../../../src/core/completion/describeOutcome.js";
import type { CompletionOutcome } from "../../../src/core/completion/completionPipeline.js";
import type { RequestMetrics } from "../../../src/protocol/engine.js";

const instant: RequestMetrics = {
  promptTokens: 20, reusedTokens: 20, evaluatedTokens: 0, restoredTokens: 0, forcedTokens: 0, generatedTokens: 1,
  promptMs: 0, firstTokenMs: 0, generationMs: 0, totalMs: 0,
};

describe("describeOutcome (mutation edges)", () => {
  it("gives no rate when the generation took no measurable time", () => {
    expect(describeOutcome({ text: "x", source: "model", latencyMs: 7.6, metrics: instant })).toBe("$(zap) 8 ms");
  });

  it("gives the latency alone for a server that reports no metrics", () => {
    expect(describeOutcome({ text: "x", source: "model", latencyMs: 80 })).toBe("$(zap) 80 ms");
  });

  it("reports a cold server cache as 0%", () => {
    const metrics = { ...instant, generationMs: 500, generatedTokens: 10, serverCache: { hitTokens: 0, missTokens: 40 } };
    expect(describeOutcome({ text: "x", source: "model", latencyMs: 600, metrics })).toBe("$(zap) 600 ms · 20 tok/s · server cache 0%");
  });
});
