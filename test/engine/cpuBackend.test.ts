// The engine loads node-llama-cpp's CPU variants rebuilt by native/ggml-cpu/build.ts (installed as
// a node-llama-cpp local build by the test setup), and reports which variant runs.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalEngine, type LocalEngine } from "../../src/backends/local/localEngine.js";
import { ensureRebuiltCpuBackend, localBuildDir, prebuiltVariants } from "../../native/ggml-cpu/build.js";
import { ensureSyntheticModel } from "../fixtures/synthetic-model/index.js";

describe.runIf(process.platform === "linux")("rebuilt CPU backend", () => {
  let engine: LocalEngine;

  beforeAll(async () => {
    await ensureRebuiltCpuBackend();
    engine = createLocalEngine({ modelPath: await ensureSyntheticModel(), contextSize: 1024, threads: 1, env: { DEEPSEEK_LOCAL_GPU: "off" } });
  }, 20 * 60_000);

  afterAll(async () => {
    await engine?.dispose();
  });

  it("is what the engine runs, one of the prebuilt binary's variants, and it generates", async () => {
    const info = await engine.modelInfo();
    expect(info.cpuBackend?.build).toBe("localBuild");
    expect(prebuiltVariants()).toContain(info.cpuBackend?.variant);
    expect(path.dirname(info.cpuBackend?.library ?? "")).toBe(path.join(localBuildDir(), "Release"));
    const result = await engine.generate({ sequence: "completion", prompt: [{ text: "function add(a, b) {" }], maxTokens: 8, temperature: 0 });
    expect(result.metrics.generatedTokens).toBeGreaterThan(0);
  });
});
