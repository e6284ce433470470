// The model offered to vscode.lm and the caller's generation options (core/languageModel/lmModel.ts).
import { describe, expect, it } from "vitest";
import { describeLanguageModel, lmGenerationLimits, lmPromptReserveTokens, type LmModelSource } from "../../../src/core/languageModel/lmModel.js";
import type { ModelInfo } from "../../../src/protocol/engine.js";

const loaded = { path: "/m/DeepSeek-Coder-V2-Lite-Instruct-Q4_K_M.gguf", name: "DeepSeek-Coder-V2-Lite-Instruct", contextSize: 16384, synthetic: false } as ModelInfo;
const local: LmModelSource = { location: { kind: "local" }, model: undefined, modelPath: "/m/deepseek-coder.gguf", contextSize: 8192, maxTokens: 1024 };

describe("describeLanguageModel", () => {
  it("lists nothing for a local chat without a model file", () => {
    expect(describeLanguageModel({ ...local, modelPath: "" })).toBeUndefined();
  });

  it("describes the local model from the settings before it is loaded", () => {
    const model = describeLanguageModel(local)!;
    expect(model).toMatchObject({ id: "local", name: "deepseek-coder", family: "deepseek", maxOutputTokens: 1024, capabilities: { toolCalling: true, imageInput: false } });
    expect(model.maxInputTokens).toBe(8192 - 1024 - lmPromptReserveTokens);
    expect(model.tooltip).toContain("loads on the first request");
  });

  it("takes the name and context of the loaded model, and marks a random-weights model", () => {
    expect(describeLanguageModel({ ...local, model: loaded })).toMatchObject({ name: "DeepSeek-Coder-V2-Lite-Instruct", maxInputTokens: 16384 - 1024 - lmPromptReserveTokens });
    expect(describeLanguageModel({ ...local, model: { ...loaded, synthetic: true } })!.name).toContain("random-weights");
  });

  it("keeps the answer within half of a small context", () => {
    const model = describeLanguageModel({ ...local, contextSize: 1024, maxTokens: 4096 })!;
    expect(model.maxOutputTokens).toBe(512);
    expect(model.maxInputTokens).toBe(1024 - 512 - lmPromptReserveTokens);
  });

  it("describes the chat server's model by the server's host", () => {
    const remote = describeLanguageModel({ ...local, location: { kind: "remote", baseUrl: "http://gpu-box:8080/v1" }, model: { ...loaded, name: "deepseek-chat", contextSize: 65536 } })!;
    expect(remote).toMatchObject({ id: "remote", name: "deepseek-chat", detail: "gpu-box:8080" });
    expect(remote.tooltip).toContain("gpu-box:8080");
    const unreachable = describeLanguageModel({ ...local, location: { kind: "remote", baseUrl: "not a url" }, model: undefined })!;
    expect(unreachable).toMatchObject({ id: "remote", name: "DeepSeek", detail: "a remote server" });
  });
});

describe("lmGenerationLimits", () => {
  const model = { maxOutputTokens: 1024 };

  it("answers up to the model's limit unless the caller asks for less", () => {
    expect(lmGenerationLimits(undefined, model)).toEqual({ maxTokens: 1024 });
    expect(lmGenerationLimits({ maxTokens: 100 }, model)).toEqual({ maxTokens: 100 });
    expect(lmGenerationLimits({ max_tokens: 5000 }, model)).toEqual({ maxTokens: 1024 });
    expect(lmGenerationLimits({ maxOutputTokens: 0.5 }, model)).toEqual({ maxTokens: 1 });
  });

  it("takes a temperature in range and ignores what is not a number", () => {
    expect(lmGenerationLimits({ temperature: 0.7 }, model)).toEqual({ maxTokens: 1024, temperature: 0.7 });
    expect(lmGenerationLimits({ temperature: 9, maxTokens: "a lot" }, model)).toEqual({ maxTokens: 1024 });
  });
});
