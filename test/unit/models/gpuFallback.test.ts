import { describe, expect, it } from "vitest";
import { classifyGpuFailure, gpuFallbackMessage, shouldRetryOnCpu } from "../../../src/core/models/gpuFallback";

describe("GPU load fallback", () => {
  it("classifies out-of-memory and driver failures", () => {
    expect(classifyGpuFailure("ggml_backend_cuda_buffer_type_alloc_buffer: allocating 9000 MiB on device 0: cudaMalloc failed: out of memory")).toBe("outOfMemory");
    expect(classifyGpuFailure("vk::Device::allocateMemory: ErrorOutOfDeviceMemory")).toBe("outOfMemory");
    expect(classifyGpuFailure("CUDA error: no CUDA-capable device is detected")).toBe("driver");
    expect(classifyGpuFailure("Failed to load model")).toBe("unknown");
  });

  it("retries on the CPU only when layers could have gone to a GPU", () => {
    expect(shouldRetryOnCpu({ gpu: "cuda", requestedGpuLayers: "auto" })).toBe(true);
    expect(shouldRetryOnCpu({ gpu: "metal", requestedGpuLayers: 12 })).toBe(true);
    expect(shouldRetryOnCpu({ gpu: "cuda", requestedGpuLayers: 0 })).toBe(false);
    expect(shouldRetryOnCpu({ gpu: false, requestedGpuLayers: "auto" })).toBe(false);
  });

  it("says once, clearly, that the model runs on the CPU and what to change", () => {
    const oom = gpuFallbackMessage({ gpu: "cuda", requestedGpuLayers: "auto", errorMessage: "cudaMalloc failed: out of memory\nmore" });
    expect(oom).toMatch(/did not fit in CUDA GPU memory \(cudaMalloc failed: out of memory\)/);
    expect(oom).toMatch(/runs on the CPU/);
    expect(oom).toMatch(/deepseekLocal\.engine\.gpuLayers/);
    expect(oom).not.toMatch(/more/);
    const driver = gpuFallbackMessage({ gpu: "vulkan", requestedGpuLayers: 20, errorMessage: "Vulkan: ErrorDeviceLost" });
    expect(driver).toMatch(/Vulkan GPU could not be used/);
    expect(driver).toMatch(/Update the GPU driver/);
    const unknown = gpuFallbackMessage({ gpu: "metal", requestedGpuLayers: "auto", errorMessage: "Failed to load model" });
    expect(unknown).toMatch(/loading the model on the Metal GPU failed \(Failed to load model\), so it runs on the CPU/);
  });
});
