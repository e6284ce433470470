import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../../src/core/models/catalog";
import {
  GiB,
  computeBufferBytes,
  enginePlan,
  estimateMemory,
  gpuBudgetBytes,
  kvCacheBytes,
  layersThatFit,
  recommendModel,
  usableRamBytes,
  type HardwareDescription,
} from "../../../src/core/models/recommendation";
import { sequenceNames } from "../../../src/protocol/engine";

const catalog = loadCatalog();
const contextSize = 8192;
const recommend = (hardware: HardwareDescription, context = contextSize, variant: "base" | "instruct" = "instruct") =>
  recommendModel({ hardware, catalog, variant, contextSize: context });

// What node-llama-cpp reports (describeEngineHardware) on the machines users have: NVIDIA and AMD
// through the Vulkan backend the VSIX carries, an Intel iGPU (unified memory through Vulkan), Apple
// silicon through Metal, and CPU-only machines.
const machines: Record<string, HardwareDescription> = {
  "NVIDIA 8 GB": { gpu: "vulkan", gpuName: "NVIDIA GeForce RTX 3070", vramBytes: 8 * GiB, unifiedMemory: false, ramBytes: 32 * GiB },
  "NVIDIA 24 GB": { gpu: "cuda", gpuName: "NVIDIA GeForce RTX 4090", vramBytes: 24 * GiB, unifiedMemory: false, ramBytes: 64 * GiB },
  "AMD 16 GB": { gpu: "vulkan", gpuName: "AMD Radeon RX 7800 XT", vramBytes: 16 * GiB, unifiedMemory: false, ramBytes: 32 * GiB },
  "AMD 20 GB": { gpu: "vulkan", gpuName: "AMD Radeon RX 7900 XT", vramBytes: 20 * GiB, unifiedMemory: false, ramBytes: 32 * GiB },
  "Intel iGPU, 16 GB": { gpu: "vulkan", gpuName: "Intel(R) Iris(R) Xe Graphics", vramBytes: 0, unifiedMemory: true, ramBytes: 16 * GiB },
  "Apple 16 GB": { gpu: "metal", gpuName: "Apple M2", vramBytes: 0, unifiedMemory: true, ramBytes: 16 * GiB },
  "Apple 36 GB": { gpu: "metal", gpuName: "Apple M3 Pro", vramBytes: 0, unifiedMemory: true, ramBytes: 36 * GiB },
  "CPU only 16 GB": { gpu: false, vramBytes: 0, unifiedMemory: false, ramBytes: 16 * GiB },
  "CPU only 32 GB": { gpu: false, vramBytes: 0, unifiedMemory: false, ramBytes: 32 * GiB },
};

describe("hardware → recommendation (Instruct)", () => {
  // [machine, context, quantization or null, placement, GPU layers of 28]
  it.each([
    ["NVIDIA 8 GB", 8192, "Q4_K_M", "split", 12],
    ["NVIDIA 8 GB", 4096, "Q4_K_M", "split", 15],
    ["NVIDIA 24 GB", 8192, "Q5_K_M", "gpu", 28],
    ["AMD 16 GB", 8192, "Q4_K_M", "split", 24],
    ["AMD 20 GB", 8192, "Q5_K_M", "gpu", 28],
    ["Intel iGPU, 16 GB", 8192, null, "none", 0],
    ["Intel iGPU, 16 GB", 4096, "Q3_K_M", "gpu", 28],
    ["Apple 16 GB", 8192, null, "none", 0],
    ["Apple 16 GB", 4096, "Q3_K_M", "gpu", 28],
    ["Apple 16 GB", 2048, "Q4_K_M", "gpu", 28],
    ["Apple 36 GB", 8192, "Q5_K_M", "gpu", 28],
    ["CPU only 16 GB", 8192, null, "none", 0],
    ["CPU only 16 GB", 4096, "Q3_K_M", "cpu", 0],
    ["CPU only 32 GB", 8192, "Q4_K_M", "cpu", 0],
  ] as const)("%s, %i tokens: %s, %s, %i GPU layers", (machine, context, quantization, placement, gpuLayers) => {
    const hardware = machines[machine]!;
    const r = recommend(hardware, context);
    expect(r.entry?.quantization ?? null).toBe(quantization);
    expect(r.placement).toBe(placement);
    expect(r.gpuLayers).toBe(gpuLayers);
    expect(r.totalLayers).toBe(28);
    // Whatever is recommended fits what the machine has free; what is refused does not.
    const budget = hardware.gpu && hardware.unifiedMemory ? gpuBudgetBytes(hardware) : usableRamBytes(hardware.ramBytes) + gpuBudgetBytes(hardware);
    if (r.entry) expect(r.neededBytes).toBeLessThanOrEqual(budget);
    else expect(r.neededBytes).toBeGreaterThan(budget);
  });

  it("issue 26's case: on 16 GB the KV cache of all three sequences counts, so Q3_K_M at 8K no longer looks like it fits, and the fix is named", () => {
    const r = recommend(machines["CPU only 16 GB"]!);
    const q3 = catalog.models.find((m) => m.variant === "instruct" && m.quantization === "Q3_K_M")!;
    // One sequence's KV cache would have made it look like ~8.9 GiB; the engine allocates three.
    expect(r.neededBytes).toBeGreaterThan(q3.sizeBytes + 3 * catalog.architecture.kvBytesPerToken * 8192);
    expect(r.neededBytes / GiB).toBeCloseTo(14.07, 1);
    expect(r.contextSizeThatFits).toBe(4096);
    expect(r.reasons.join(" ")).toMatch(/6\.3 GiB KV cache for its 3 sequences/);
    expect(r.reasons.join(" ")).toMatch(/Set deepseekLocal\.engine\.contextSize to 4096/);
  });

  it("names the GPU node-llama-cpp reported, and says when none is in use", () => {
    expect(recommend(machines["AMD 16 GB"]!).reasons.join(" ")).toMatch(/Vulkan \(AMD Radeon RX 7800 XT\) GPU with 16\.0 GiB VRAM/);
    expect(recommend(machines["NVIDIA 8 GB"]!).reasons.join(" ")).toMatch(/12 of 28 layers go on the GPU/);
    expect(recommend(machines["Apple 36 GB"]!).reasons.join(" ")).toMatch(/Metal \(Apple M3 Pro\) with 36\.0 GiB unified memory/);
    expect(recommend(machines["CPU only 32 GB"]!).reasons.join(" ")).toMatch(/No GPU in use.*memory bandwidth/);
  });

  it("on the CPU never Q5_K_M, even with plenty of RAM; Base is recommended when asked for", () => {
    expect(recommend({ ...machines["CPU only 32 GB"]!, ramBytes: 128 * GiB }).entry?.quantization).toBe("Q4_K_M");
    expect(recommend(machines["NVIDIA 8 GB"]!, 8192, "base").entry?.variant).toBe("base");
  });
});

describe("memory estimate", () => {
  it("counts one KV cache per engine sequence, and micro-batches the engine uses on CPU and GPU", () => {
    const cpu = enginePlan(8192, false);
    expect(cpu).toEqual({ contextSize: 8192, sequences: sequenceNames.length, microBatch: 256, flashAttention: false });
    expect(enginePlan(8192, true).microBatch).toBe(512);
    expect(kvCacheBytes(catalog.architecture, cpu)).toBe(catalog.architecture.kvBytesPerToken * 8192 * 3);
  });

  it("compute buffers: the logits of a micro-batch until the attention scores outgrow them; flash attention removes the latter", () => {
    const shape = catalog.architecture;
    const small = { contextSize: 1024, sequences: 3, microBatch: 256, flashAttention: false };
    expect(computeBufferBytes(shape, small)).toBeCloseTo(1.02 * shape.vocabularySize * 256 * 4 + shape.vocabularySize * 3 * 4);
    const long = { ...small, contextSize: 32768 };
    expect(computeBufferBytes(shape, long)).toBeGreaterThan(shape.headCount * 32768 * 256 * 4);
    expect(computeBufferBytes(shape, { ...long, flashAttention: true })).toBe(computeBufferBytes(shape, small));
    const e = estimateMemory(10 * GiB, shape, long);
    expect(e.totalBytes).toBe(e.weightsBytes + e.kvBytes + e.computeBytes);
  });

  it("layersThatFit: none when the budget does not cover the compute buffers, all when it is ample", () => {
    const q4 = catalog.models.find((m) => m.quantization === "Q4_K_M")!;
    const plan = enginePlan(contextSize, true);
    expect(layersThatFit(q4, catalog, plan, computeBufferBytes(catalog.architecture, plan) / 2)).toBe(0);
    expect(layersThatFit(q4, catalog, plan, 1000 * GiB)).toBe(28);
  });
});
