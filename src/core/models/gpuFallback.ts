// When loading on the GPU fails, the engine loads again on the CPU and says so once: users of
// llama.cpp front-ends most often lose the GPU silently and only notice the speed.

export type GpuFailureKind = "outOfMemory" | "driver" | "unknown";

const outOfMemoryPattern = /out of memory|\bOOM\b|cudaMalloc|failed to allocate|unable to allocate|not enough (video )?memory|VRAM|ErrorOutOfDeviceMemory|insufficient memory/i;
const driverPattern = /CUDA error|driver|cuInit|no CUDA-capable|vk[A-Z]\w+|Vulkan|MTL|Metal|ggml_backend|device lost|ErrorDeviceLost|ErrorInitializationFailed/i;

export function classifyGpuFailure(message: string): GpuFailureKind {
  if (outOfMemoryPattern.test(message)) return "outOfMemory";
  if (driverPattern.test(message)) return "driver";
  return "unknown";
}

export interface GpuLoadAttempt {
  /** The backend in use ("cuda", "metal", "vulkan") or false for CPU. */
  gpu: string | false;
  /** What was asked: "auto" or a layer count. */
  requestedGpuLayers: "auto" | number;
  errorMessage: string;
}

/** Whether a failed load deserves a second try on the CPU: only when layers could have gone to a GPU. */
export function shouldRetryOnCpu(attempt: Pick<GpuLoadAttempt, "gpu" | "requestedGpuLayers">): boolean {
  return attempt.gpu !== false && attempt.requestedGpuLayers !== 0;
}

function backendName(gpu: string | false): string {
  if (gpu === "cuda") return "CUDA";
  if (gpu === "metal") return "Metal";
  if (gpu === "vulkan") return "Vulkan";
  return gpu || "GPU";
}

/** The one message the user gets when the model runs on the CPU because the GPU load failed. */
export function gpuFallbackMessage(attempt: GpuLoadAttempt): string {
  const backend = backendName(attempt.gpu);
  const detail = attempt.errorMessage.split("\n")[0]!.slice(0, 200);
  switch (classifyGpuFailure(attempt.errorMessage)) {
    case "outOfMemory":
      return (
        `DeepSeek Local: the model did not fit in ${backend} GPU memory (${detail}), so it runs on the CPU, which is much slower. ` +
        `Set deepseekLocal.engine.gpuLayers to fewer layers, lower deepseekLocal.engine.contextSize, or pick a smaller quantization, then restart the engine.`
      );
    case "driver":
      return (
        `DeepSeek Local: the ${backend} GPU could not be used (${detail}), so the model runs on the CPU, which is much slower. ` +
        `Update the GPU driver, or set deepseekLocal.engine.gpuLayers to 0 to stay on the CPU without this message.`
      );
    default:
      return (
        `DeepSeek Local: loading the model on the ${backend} GPU failed (${detail}), so it runs on the CPU, which is much slower. ` +
        `Check the log; set deepseekLocal.engine.gpuLayers to 0 to stay on the CPU without this message.`
      );
  }
}
