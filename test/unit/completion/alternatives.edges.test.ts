// Edges of the alternatives' requests that the mutation run (issue 24, docs/mutation.md) showed
// untested: each alternative's seed is its own and fixed, and its sampling is the documented one.
import { describe, expect, it } from "vitest";
import type { InfillRequest } from "../../../src/core/engine/completionEngine.js";
import { alternativeRequest, alternativeSamples, distinctAlternatives } from "../../../src/core/completion/alternatives.js";

const greedy: InfillRequest = { prefix: "fn add(a: i32, b: i32) -> i32 {\n    ", suffix: "\n}\n", maxTokens: 64, maxLines: 3 };

describe("alternativeRequest edges", () => {
  it("gives each alternative a seed of its own, the same one every time, none of them 0", () => {
    const seeds = Array.from({ length: alternativeSamples }, (_, i) => alternativeRequest(greedy, i).seed);
    expect(seeds).toEqual([1, 2]);
    expect(alternativeRequest(greedy, 1)).toEqual(alternativeRequest(greedy, 1));
  });

  it("samples warm but cut to the likely tokens, leaving the greedy request as it was", () => {
    expect(alternativeRequest(greedy, 0)).toEqual({ ...greedy, temperature: 0.8, topK: 40, topP: 0.95, seed: 1 });
    expect(greedy).not.toHaveProperty("seed");
  });
});

describe("distinctAlternatives edges", () => {
  it("offers nothing without samples, and keeps samples that differ only in leading spaces", () => {
    expect(distinctAlternatives("a + b", [])).toEqual([]);
    expect(distinctAlternatives("a + b", [" a + b", "  a + b"])).toEqual([" a + b", "  a + b"]);
  });
});
