import { describe, expect, it } from "vitest";
import { defaultContextSize, knownContextSize, remoteContextSize } from "../../../src/core/remote/modelContext.js";

describe("remote context size", () => {
  it("takes the server's figure where it gives one", () => {
    expect(remoteContextSize("deepseek-chat", [undefined, 4096])).toBe(4096);
    expect(remoteContextSize("anything", [32768, 4096])).toBe(32768);
  });

  it("ignores 0, negative and missing figures", () => {
    expect(remoteContextSize("deepseek-chat", [0, -1, null, undefined, Number.NaN])).toBe(65_536);
  });

  it("knows the DeepSeek API and DeepSeek-Coder models by id, with or without the org prefix", () => {
    expect(knownContextSize("deepseek-chat")).toBe(65_536);
    expect(knownContextSize("deepseek-reasoner")).toBe(65_536);
    expect(knownContextSize("deepseek-coder")).toBe(65_536);
    expect(knownContextSize("deepseek-ai/DeepSeek-Coder-V2-Lite-Instruct")).toBe(131_072);
    expect(knownContextSize("DeepSeek-Coder-V2-Lite-Base")).toBe(131_072);
    expect(knownContextSize("deepseek-ai/deepseek-coder-6.7b-instruct")).toBe(16_384);
  });

  it("does not read sizes out of names, and falls back to a safe default — never 0", () => {
    expect(knownContextSize("my-model-128k")).toBeUndefined();
    expect(remoteContextSize("my-model-128k", [])).toBe(defaultContextSize);
    expect(remoteContextSize(undefined, [0])).toBe(defaultContextSize);
    expect(defaultContextSize).toBeGreaterThan(0);
  });
});
