import { describe, expect, it } from "vitest";
import { loadCatalog } from "../../../src/core/models/catalog";
import {
  GiB,
  computeOverheadBytes,
  gpuBudgetBytes,
  kvCacheBytes,
  layersThatFit,
  recommendModel,
  type HardwareDescription,
} from "../../../src/core/models/recommendation";

const catalog = loadCatalog();
const contextSize = 8192;
const cuda8: HardwareDescription = { gpu: "cuda", gpuName: "RTX 3070", vramBytes: 8 * GiB, unifiedMemory: false, ramBytes: 32 * GiB };
const metal16: HardwareDescription = { gpu: "metal", gpuName: "Apple M2", vramBytes: 0, unifiedMemory: true, ramBytes: 16 * GiB };
const cpuOnly32: HardwareDescription = { gpu: false, vramBytes: 0, unifiedMemory: false, ramBytes: 32 * GiB };
const recommend = (hardware: HardwareDescription, variant: "base" | "instruct" = "instruct") =>
  recommendModel({ hardware, catalog, variant, contextSize });

describe("model recommendation", () => {
  it("CUDA 8 GB: Q4_K_M split between GPU and CPU, as many layers as fit in VRAM", () => {
    const r = recommend(cuda8);
    expect(r.entry?.quantization).toBe("Q4_K_M");
    expect(r.placement).toBe("split");
    const entry = r.entry!;
    const perLayer = (entry.sizeBytes + kvCacheBytes(catalog, contextSize)) / r.totalLayers;
    const room = gpuBudgetBytes(cuda8) - computeOverheadBytes;
    // The most layers that fit: these do, one more would not.
    expect(r.gpuLayers * perLayer).toBeLessThanOrEqual(room);
    expect((r.gpuLayers + 1) * perLayer).toBeGreaterThan(room);
    expect(r.gpuLayers).toBe(15);
    expect(r.totalLayers).toBe(28);
    expect(r.reasons.join(" ")).toMatch(/CUDA \(RTX 3070\) GPU with 8\.0 GiB VRAM/);
    expect(r.reasons.join(" ")).toMatch(/15 of 28 layers go on the GPU/);
  });

  it("Metal 16 GB unified: everything on the GPU, Q3_K_M because Q4_K_M with an 8K context exceeds the working set", () => {
    const r = recommend(metal16);
    expect(r.entry?.quantization).toBe("Q3_K_M");
    expect(r.placement).toBe("gpu");
    expect(r.gpuLayers).toBe(r.totalLayers);
    expect(gpuBudgetBytes(metal16)).toBe(12 * GiB);
    expect(r.reasons.join(" ")).toMatch(/Q4_K_M would need about 12\.3 GiB/);
    expect(r.reasons.join(" ")).toMatch(/smaller context size would let Q4_K_M fit/);
  });

  it("Metal 16 GB with a 2K context fits Q4_K_M", () => {
    const r = recommendModel({ hardware: metal16, catalog, variant: "instruct", contextSize: 2048 });
    expect(r.entry?.quantization).toBe("Q4_K_M");
    expect(r.placement).toBe("gpu");
  });

  it("CPU only: Q4_K_M with no GPU layers, and never Q5_K_M even with plenty of RAM", () => {
    const r = recommend(cpuOnly32);
    expect(r.entry?.quantization).toBe("Q4_K_M");
    expect(r.gpuLayers).toBe(0);
    expect(r.placement).toBe("cpu");
    expect(recommend({ ...cpuOnly32, ramBytes: 128 * GiB }).entry?.quantization).toBe("Q4_K_M");
    expect(r.reasons.join(" ")).toMatch(/No GPU found/);
    expect(r.reasons.join(" ")).toMatch(/memory bandwidth/);
  });

  it("CPU only with 16 GB: Q3_K_M; with 8 GB: nothing fits and it says what to do", () => {
    expect(recommend({ ...cpuOnly32, ramBytes: 16 * GiB }).entry?.quantization).toBe("Q3_K_M");
    const none = recommend({ ...cpuOnly32, ramBytes: 8 * GiB });
    expect(none.entry).toBeNull();
    expect(none.placement).toBe("none");
    expect(none.reasons.join(" ")).toMatch(/contextSize|server/);
  });

  it("a 24 GB GPU takes Q5_K_M entirely", () => {
    const r = recommend({ ...cuda8, vramBytes: 24 * GiB });
    expect(r.entry?.quantization).toBe("Q5_K_M");
    expect(r.placement).toBe("gpu");
    expect(r.gpuLayers).toBe(r.totalLayers);
  });

  it("recommends the requested variant", () => {
    expect(recommend(cuda8, "base").entry?.variant).toBe("base");
  });

  it("layersThatFit is 0 when the budget does not cover the compute buffers", () => {
    const q4 = catalog.models.find((m) => m.quantization === "Q4_K_M")!;
    expect(layersThatFit(q4, catalog, contextSize, computeOverheadBytes / 2)).toBe(0);
    expect(layersThatFit(q4, catalog, contextSize, 1000 * GiB)).toBe(28);
  });
});
