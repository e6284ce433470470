// The engine's header checks before loading, on real files: a role the file cannot serve is said
// once as a warning and the model still loads for the other role; the GPU placement is reported.
import { afterAll, describe, expect, it } from "vitest";
import { createLocalEngine, type LocalEngine } from "../../src/backends/local/localEngine.js";
import { ensureSyntheticModel } from "../fixtures/synthetic-model/index";

let engine: LocalEngine | undefined;
afterAll(async () => {
  await engine?.dispose();
});

describe("engine model checks", () => {
  it("a file without a chat template loads for completion and warns once that chat cannot use it", async () => {
    const warnings: string[] = [];
    const modelPath = await ensureSyntheticModel({ chatTemplate: "none" });
    engine = createLocalEngine({
      modelPath,
      contextSize: 2048,
      threads: 1,
      env: { DEEPSEEK_LOCAL_GPU: "off" },
      onWarning: (message) => warnings.push(message),
    });
    const info = await engine.modelInfo();
    expect(info.chatTemplate).toBeNull();
    expect(info.specialTokens.fimPrefix).not.toBeNull();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/has no chat template .* Use DeepSeek-Coder-V2-Lite-Instruct for chat/);
    // GPU off: no layers offloaded, and no fallback to report.
    expect(info.gpu).toBe(false);
    expect(info.gpuLayers).toBe(0);
    expect(info.gpuFallback).toBeUndefined();
  });
});
