import { describe, expect, it } from "vitest";
import { describeEngineHardware, describeHardware, parseNvidiaSmi, placementLine } from "../../../src/core/models/hardwareDescription";

const GiB = 1024 ** 3;

describe("hardware description", () => {
  it("reads the first GPU from nvidia-smi's CSV", () => {
    expect(parseNvidiaSmi("NVIDIA GeForce RTX 3070, 8192\nNVIDIA GeForce RTX 3060, 12288\n")).toEqual({ name: "NVIDIA GeForce RTX 3070", vramBytes: 8 * GiB });
    expect(parseNvidiaSmi("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.")).toBeNull();
  });

  it("Apple silicon is Metal with unified memory; NVIDIA is CUDA; otherwise CPU", () => {
    expect(describeHardware({ platform: "darwin", arch: "arm64", ramBytes: 16 * GiB, nvidiaSmi: null })).toMatchObject({ gpu: "metal", unifiedMemory: true, ramBytes: 16 * GiB });
    expect(describeHardware({ platform: "linux", arch: "x64", ramBytes: 32 * GiB, nvidiaSmi: "Tesla T4, 15360" })).toMatchObject({ gpu: "cuda", gpuName: "Tesla T4", vramBytes: 15 * GiB });
    expect(describeHardware({ platform: "win32", arch: "x64", ramBytes: 8 * GiB, nvidiaSmi: null })).toEqual({ gpu: false, vramBytes: 0, unifiedMemory: false, ramBytes: 8 * GiB });
  });
});

describe("hardware from the engine's node-llama-cpp report", () => {
  const report = { gpu: "vulkan" as const, gpuDevices: ["AMD Radeon RX 7800 XT"], vramBytes: 16 * GiB, vramFreeBytes: 15 * GiB, unifiedMemory: false, ramBytes: 32 * GiB, gpuUnavailable: null };

  it("AMD and Intel GPUs come through Vulkan with their names and VRAM; Apple's memory is unified", () => {
    expect(describeEngineHardware(report)).toEqual({ gpu: "vulkan", gpuName: "AMD Radeon RX 7800 XT", vramBytes: 16 * GiB, unifiedMemory: false, ramBytes: 32 * GiB });
    expect(describeEngineHardware({ ...report, gpu: "metal", gpuDevices: ["Apple M3 Pro"], unifiedMemory: true, vramBytes: 27 * GiB })).toEqual({
      gpu: "metal",
      gpuName: "Apple M3 Pro",
      vramBytes: 0,
      unifiedMemory: true,
      ramBytes: 32 * GiB,
    });
  });

  it("the CPU binary, or a backend with no memory, is CPU only", () => {
    expect(describeEngineHardware({ ...report, gpu: false, gpuDevices: [], vramBytes: 0 })).toEqual({ gpu: false, vramBytes: 0, unifiedMemory: false, ramBytes: 32 * GiB });
    expect(describeEngineHardware({ ...report, vramBytes: 0 }).gpu).toBe(false);
  });

  it("the placement line says which backend and how many layers run where", () => {
    expect(placementLine({ gpu: "vulkan", gpuLayers: 12, totalLayers: 27, gpuDevices: ["NVIDIA GeForce RTX 3070"] })).toBe(
      "Vulkan (NVIDIA GeForce RTX 3070): 12 of 28 layers on the GPU, 16 on the CPU",
    );
    expect(placementLine({ gpu: "metal", gpuLayers: 28, totalLayers: 27, gpuDevices: [] })).toBe("Metal: 28 of 28 layers on the GPU, 0 on the CPU");
    expect(placementLine({ gpu: false, gpuLayers: 0, totalLayers: 27 })).toBe("CPU only (no GPU backend loaded)");
  });
});
