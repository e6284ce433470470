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

export function backendName(gpu: string | false): string {
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

// A GPU that is present but never used (issue 26): node-llama-cpp's `gpu: "auto"` quietly picks
// the CPU binary when no GPU binary loads, so the engine checks what the machine has against what
// it got, and says why once.

export type GpuVendor = "nvidia" | "amd" | "intel" | "other";
export type GpuBackendName = "cuda" | "vulkan" | "metal";

/** A display controller on the PCI bus: `class` and `vendor` as Linux's sysfs prints them ("0x030000", "0x10de"). */
export interface PciDevice {
  class: string;
  vendor: string;
}

const pciVendors: Record<string, GpuVendor> = { "0x10de": "nvidia", "0x1002": "amd", "0x1022": "amd", "0x8086": "intel" };

/** Display controllers (PCI class 0x03: VGA, XGA, 3D, other display) and who made them. */
export function gpuVendorsFromPci(devices: PciDevice[]): GpuVendor[] {
  return devices.filter((device) => /^0x03/i.test(device.class.trim())).map((device) => pciVendors[device.vendor.trim().toLowerCase()] ?? "other");
}

export interface GpuAvailabilityFacts {
  platform: string;
  /** GPUs the machine has (Linux: from the PCI bus); null where the engine cannot tell. */
  vendors: GpuVendor[] | null;
  /** The backend node-llama-cpp loaded, or false for the CPU binary. */
  backendInUse: GpuBackendName | false;
  /** The user turned the GPU off (deepseekLocal.engine.gpuLayers 0, or DEEPSEEK_LOCAL_GPU=off). */
  disabledByUser: boolean;
  /** GPU backends whose binaries are installed beside node-llama-cpp. */
  carried: GpuBackendName[];
  /** GPU backends node-llama-cpp publishes binaries of for this platform and architecture. */
  published: GpuBackendName[];
  /** Backends whose system libraries node-llama-cpp finds (its getLlamaGpuTypes("supported")). */
  librariesFound: GpuBackendName[];
}

const vendorGpu: Record<GpuVendor, string> = { nvidia: "an NVIDIA GPU", amd: "an AMD GPU", intel: "an Intel GPU", other: "a GPU" };

function vulkanLoaderHint(platform: string): string {
  if (platform === "win32") return "install or update the GPU driver from its vendor (it includes vulkan-1.dll)";
  return "install the Vulkan loader and your GPU's Vulkan driver (Debian/Ubuntu: `sudo apt install libvulkan1 mesa-vulkan-drivers`; NVIDIA's own driver brings its Vulkan driver)";
}

/** The message for a GPU that is there but unused, or null when there is nothing to say. */
export function gpuUnavailableMessage(facts: GpuAvailabilityFacts): string | null {
  if (facts.backendInUse !== false || facts.disabledByUser) return null;
  if (facts.vendors !== null && facts.vendors.length === 0) return null; // no GPU: the CPU is all there is
  const present = facts.vendors !== null;
  const gpu = facts.vendors ? vendorGpu[facts.vendors[0]!] : "the GPU";
  const restart = "then run DeepSeek Local: Restart Engine.";
  if (facts.carried.length === 0) {
    if (!present || facts.published.length === 0) return null;
    return (
      `DeepSeek Local: ${gpu} is present, but this installation carries no GPU backend, so the model runs on the CPU. ` +
      `Install the extension's own build for this platform (it carries a GPU backend: ${facts.published.includes("metal") ? "Metal" : "Vulkan"}); a VSIX packaged with \`--gpu none\` has none.`
    );
  }
  const withLibraries = facts.carried.filter((backend) => facts.librariesFound.includes(backend));
  if (withLibraries.length === 0) {
    if (!present) return null;
    const backends = facts.carried.map(backendName).join(" or ");
    const fix = facts.carried.includes("vulkan") ? vulkanLoaderHint(facts.platform) : "install the CUDA runtime (libcudart, libcublas) that matches the driver";
    return `DeepSeek Local: ${gpu} is present, but the system libraries for ${backends} are missing, so the model runs on the CPU. To use the GPU, ${fix}; ${restart}`;
  }
  // Binaries and libraries are there, yet node-llama-cpp fell back to the CPU: its backend did not load.
  const backend = backendName(withLibraries[0]!);
  return (
    `DeepSeek Local: the ${backend} backend did not load (no usable ${backend} device, or a driver too old for it), so the model runs on the CPU. ` +
    `Update the GPU driver (Vulkan needs 1.2 or newer), ${restart} Set deepseekLocal.engine.gpuLayers to 0 to stay on the CPU without this message.`
  );
}
