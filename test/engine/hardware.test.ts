// The recommendation's memory estimate against what llama.cpp really allocates for the engine's
// context (issue 26): one KV cache per sequence, the compute and output buffers, on the synthetic
// model with the engine's own settings; and the hardware report the editor asks the engine for.
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import path from "node:path";
import { getLlama, LlamaLogLevel, type Llama, type LlamaModel } from "node-llama-cpp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mlaLatentBytesPerToken } from "../../src/core/cache/prefixCacheEntry.js";
import { estimateMemory, type ContextPlan, type MemoryShape } from "../../src/core/models/recommendation.js";
import { attentionHeadSizes, defaultBatchSize, defaultFlashAttention, mlaLatentDims } from "../../src/engine/contextDefaults.js";
import { sequenceNames } from "../../src/protocol/engine.js";
import { askEngine } from "../../src/vscode/models/hostHardware.js";
import { engineGpuOption, gpuBinaries, readGpuVendors } from "../../src/engine/hardware.js";
import { ensureSyntheticModel } from "../fixtures/synthetic-model/index.js";

const MiB = 1024 * 1024;

/**
 * A buffer llama.cpp reports at info level: "CPU KV buffer size =     3.38 MiB". node-llama-cpp
 * hands log lines over asynchronously, so they may arrive after the call that caused them resolves.
 */
async function allocatedBuffer(log: string[], what: "model" | "KV" | "compute" | "output"): Promise<number> {
  const pattern = new RegExp(`CPU\\s+${what} buffer size =\\s+([\\d.]+) MiB`);
  for (const deadline = Date.now() + 10_000; ; await sleep(20)) {
    const match = pattern.exec(log.join(""));
    if (match) return Number(match[1]) * MiB;
    if (Date.now() > deadline) throw new Error(`llama.cpp did not report its ${what} buffer:\n${log.join("").slice(-2000)}`);
  }
}

describe("memory estimate against llama.cpp's allocations (synthetic model, the engine's context settings)", () => {
  let llama: Llama;
  let model: LlamaModel;
  let modelPath: string;
  let fileBytes: number;
  let shape: MemoryShape;
  let modelBuffer: number;
  const log: string[] = [];

  beforeAll(async () => {
    modelPath = await ensureSyntheticModel();
    llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.info, logger: (_level, message) => log.push(message), progressLogs: false });
    model = await llama.loadModel({ modelPath, gpuLayers: 0, useMmap: false });
    modelBuffer = await allocatedBuffer(log, "model");
    fileBytes = statSync(modelPath).size;
    const arch = model.fileInfo.architectureMetadata as { block_count: number; vocab_size: number; attention: { head_count: number } };
    const mla = mlaLatentDims(model.fileInfo.architectureMetadata)!;
    shape = {
      blockCount: arch.block_count,
      kvBytesPerToken: mlaLatentBytesPerToken(mla.kvLoraRank, mla.ropeDims, arch.block_count),
      vocabularySize: arch.vocab_size,
      headCount: arch.attention.head_count,
    };
  });

  afterAll(async () => {
    await model?.dispose();
    await llama?.dispose();
  });

  // 4,096 tokens: the logits of a micro-batch dominate the compute buffer; 32,768: the attention scores do.
  it.each([4096, 32768])("%i tokens per sequence", async (contextSize) => {
    const flashAttention = defaultFlashAttention(true, attentionHeadSizes(model.fileInfo.architectureMetadata));
    const plan: ContextPlan = { contextSize, sequences: sequenceNames.length, microBatch: defaultBatchSize(true)!, flashAttention };
    log.length = 0;
    const context = await model.createContext({ sequences: plan.sequences, contextSize, flashAttention, batchSize: plan.microBatch, threads: 1 });
    try {
      expect(context.contextSize).toBe(contextSize);
      const [kv, compute, output] = await Promise.all([allocatedBuffer(log, "KV"), allocatedBuffer(log, "compute"), allocatedBuffer(log, "output")]);
      const allocated = { model: modelBuffer, kv, compute, output };
      const estimate = estimateMemory(fileBytes, shape, plan);
      const allocatedTotal = allocated.model + allocated.kv + allocated.compute + allocated.output;
      const nodeLlamaCppEstimate = model.fileInsights.estimateContextResourceRequirements({ contextSize, modelGpuLayers: 0, batchSize: plan.microBatch, sequences: plan.sequences, flashAttention });
      console.log(
        `[memory] ${contextSize} tokens × ${plan.sequences} sequences: allocated model ${(allocated.model / MiB).toFixed(1)} + KV ${(allocated.kv / MiB).toFixed(2)} + compute ${(allocated.compute / MiB).toFixed(1)} + output ${(allocated.output / MiB).toFixed(2)} MiB; ` +
          `estimated weights ${(estimate.weightsBytes / MiB).toFixed(1)} + KV ${(estimate.kvBytes / MiB).toFixed(2)} + compute ${(estimate.computeBytes / MiB).toFixed(1)} MiB; ` +
          `node-llama-cpp's own context estimate ${(nodeLlamaCppEstimate.cpuRam / MiB).toFixed(1)} MiB`,
      );
      // Every sequence's KV cache, to within llama.cpp's rounding of the printed MiB.
      expect(Math.abs(estimate.kvBytes - allocated.kv)).toBeLessThan(0.01 * MiB);
      // Compute + output buffers: never under, at most 10% over.
      expect(estimate.computeBytes).toBeGreaterThanOrEqual(allocated.compute + allocated.output - 0.01 * MiB);
      expect(estimate.computeBytes).toBeLessThan(1.1 * (allocated.compute + allocated.output));
      // The file size covers the weights (it also holds the tokenizer).
      expect(estimate.weightsBytes).toBeGreaterThanOrEqual(allocated.model);
      expect(estimate.totalBytes).toBeGreaterThanOrEqual(allocatedTotal);
      expect(estimate.totalBytes).toBeLessThan(1.15 * allocatedTotal);
    } finally {
      await context.dispose();
    }
  });
});

describe("the engine's hardware report (engine/hardware, asked before any model exists)", () => {
  it("answers from node-llama-cpp with the backend, devices and memory; this machine has no GPU", async () => {
    const report = await askEngine(path.resolve("dist/engine.mjs"));
    if (report instanceof Error) throw report;
    expect(report.ramBytes).toBe(os.totalmem());
    expect(report.gpu).toBe(false);
    expect(report.gpuDevices).toEqual([]);
    expect(report.vramBytes).toBe(0);
    // No display controller on this machine's PCI bus: nothing to warn about.
    expect(report.gpuUnavailable).toBeNull();
  });

  it("a missing engine is an error, not a hang", async () => {
    const report = await askEngine(path.resolve("dist/no-such-engine.mjs"), 20_000);
    expect(report).toBeInstanceOf(Error);
  });
});

describe("what the engine checks before blaming the GPU", () => {
  it("finds the GPU binaries node-llama-cpp would load, resolved from its own folder", () => {
    // The checkout installs every @node-llama-cpp/linux-x64* package; a VSIX carries linux-x64-vulkan.
    expect(gpuBinaries("linux", "x64")).toEqual({ published: ["cuda", "vulkan"], carried: ["cuda", "vulkan"] });
    expect(gpuBinaries("darwin", "arm64").published).toEqual(["metal"]);
    expect(gpuBinaries("linux", "arm64")).toEqual({ published: [], carried: [] });
  });

  it("reads display controllers from a sysfs PCI tree; elsewhere it cannot tell", async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), "dsl-pci-"));
    try {
      const device = (name: string, cls: string, vendor: string) => {
        mkdirSync(path.join(root, name));
        writeFileSync(path.join(root, name, "class"), `${cls}\n`);
        writeFileSync(path.join(root, name, "vendor"), `${vendor}\n`);
      };
      device("0000:00:02.0", "0x030000", "0x8086");
      device("0000:01:00.0", "0x030000", "0x1002");
      device("0000:00:1f.0", "0x060100", "0x8086");
      mkdirSync(path.join(root, "0000:00:1f.3")); // unreadable entries are skipped
      expect((await readGpuVendors("linux", root))?.sort()).toEqual(["amd", "intel"]);
      expect(await readGpuVendors("win32", root)).toBeNull();
      expect(await readGpuVendors("linux", path.join(root, "missing"))).toBeNull();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("which backend the engine asks node-llama-cpp for", () => {
  it("DEEPSEEK_LOCAL_GPU names one or turns the GPU off; otherwise auto, except on Linux without any display controller", async () => {
    expect(await engineGpuOption({ DEEPSEEK_LOCAL_GPU: "off" }, "linux", ["nvidia"])).toBe(false);
    expect(await engineGpuOption({ DEEPSEEK_LOCAL_GPU: "vulkan" }, "linux", [])).toBe("vulkan");
    expect(await engineGpuOption({}, "linux", ["amd"])).toBe("auto");
    expect(await engineGpuOption({}, "linux", null)).toBe("auto"); // cannot tell: let node-llama-cpp decide
    // No GPU on the bus: a software Vulkan device (lavapipe) must not pull the model onto the Vulkan binary's CPU code.
    expect(await engineGpuOption({}, "linux", [])).toBe(false);
    expect(await engineGpuOption({}, "darwin", null)).toBe("auto");
    expect(await engineGpuOption({}, "win32", null)).toBe("auto");
  });
});
