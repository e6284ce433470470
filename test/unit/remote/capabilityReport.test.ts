import { describe, expect, it } from "vitest";
import { capabilityReport, formatCapabilityReport, type ServerFacts } from "../../../src/core/remote/capabilityReport.js";

const llama: ServerFacts = {
  flavor: "llama-server",
  model: "ds.gguf",
  contextSize: 4096,
  contextSource: "server",
  fim: "infill",
  ollamaRawFim: false,
  nativeTools: true,
  serverTokenizer: true,
};

const line = (facts: ServerFacts, feature: string) => capabilityReport(facts).find((l) => l.feature === feature)!;

describe("capabilityReport", () => {
  it("says llama-server does every feature itself", () => {
    expect(capabilityReport(llama).every((l) => l.support === "native")).toBe(true);
    expect(line(llama, "ghost text").detail).toMatch(/\/infill/);
  });
  it("says what stands in where the server lacks something", () => {
    const ollama: ServerFacts = { ...llama, flavor: "ollama", fim: "ollamaGenerate", ollamaRawFim: true, nativeTools: false, serverTokenizer: false, contextSource: "server" };
    expect(line(ollama, "tools")).toEqual({ feature: "tools", support: "instead", detail: expect.stringMatching(/emulated with a JSON step/) });
    expect(line(ollama, "ghost text")).toMatchObject({ support: "instead", detail: expect.stringMatching(/raw \/api\/generate/) });
    expect(line(ollama, "token counts")).toMatchObject({ support: "instead", detail: expect.stringMatching(/usage/) });
    const vllm: ServerFacts = { ...llama, flavor: "vllm", fim: "fimTokens" };
    expect(line(vllm, "ghost text")).toMatchObject({ support: "instead", detail: expect.stringMatching(/FIM tokens/) });
    expect(line(vllm, "prefix continuation").detail).toBe("continue_final_message");
  });
  it("describes the DeepSeek API's beta routes and its JSON mode", () => {
    const deepseek: ServerFacts = { ...llama, flavor: "deepseek", model: "deepseek-chat", fim: "suffix", serverTokenizer: false, contextSize: 65536, contextSource: "table" };
    expect(line(deepseek, "ghost text").detail).toMatch(/\/beta\/completions/);
    expect(line(deepseek, "prefix continuation").detail).toMatch(/prefix: true.*\/beta/);
    expect(line(deepseek, "JSON refactors")).toMatchObject({ support: "instead", detail: expect.stringMatching(/json_object.*one repair round/) });
    expect(line(deepseek, "context size").detail).toBe("65,536 tokens, from the documented size of deepseek-chat");
  });
  it("says when the context size is only assumed", () => {
    const generic: ServerFacts = { ...llama, flavor: "openai", model: "gw/x", fim: "fimTokens", contextSize: 8192, contextSource: "default" };
    expect(line(generic, "context size")).toMatchObject({ support: "instead", detail: expect.stringMatching(/8,192 tokens assumed.*gw\/x/) });
    expect(formatCapabilityReport(generic)[0]).toBe("an OpenAI-compatible server, model gw/x");
    expect(formatCapabilityReport(generic)).toContain("✓ chat: streamed from the OpenAI chat endpoint");
  });
});
