// What this machine offers the model, as node-llama-cpp sees it (issue 26): the GPU backend it
// loaded, the devices and memory behind it (NVIDIA, AMD, Intel and Apple alike, not nvidia-smi
// alone), and, when a GPU is present but unused, why.
import { existsSync } from "node:fs";
import { readFile, readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { getLlamaGpuTypes, type Llama } from "node-llama-cpp";
import { gpuUnavailableMessage, gpuVendorsFromPci, type GpuBackendName, type GpuVendor, type PciDevice } from "../core/models/gpuFallback.js";
import type { HardwareReport } from "../protocol/engine.js";

const pciDevicesDir = "/sys/bus/pci/devices";

/** Display controllers on the PCI bus (Linux); null elsewhere, where the engine cannot tell cheaply. */
export async function readGpuVendors(platform = process.platform, devicesDir = pciDevicesDir): Promise<GpuVendor[] | null> {
  if (platform !== "linux") return null;
  let names: string[];
  try {
    names = await readdir(devicesDir);
  } catch {
    return null;
  }
  const devices = await Promise.all(
    names.map(async (name): Promise<PciDevice | null> => {
      try {
        const [cls, vendor] = await Promise.all([readFile(path.join(devicesDir, name, "class"), "utf8"), readFile(path.join(devicesDir, name, "vendor"), "utf8")]);
        return { class: cls, vendor };
      } catch {
        return null;
      }
    }),
  );
  return gpuVendorsFromPci(devices.filter((device): device is PciDevice => device !== null));
}

/** node-llama-cpp's names for this platform's prebuilt binary packages (`@node-llama-cpp/<name>`). */
function gpuBinaryPackages(platform: string, arch: string): Partial<Record<GpuBackendName, string>> {
  if (platform === "darwin") return arch === "arm64" ? { metal: "mac-arm64-metal" } : {};
  const prefix = platform === "win32" ? "win" : platform === "linux" ? "linux" : undefined;
  if (!prefix || arch !== "x64") return {};
  return { cuda: `${prefix}-x64-cuda`, vulkan: `${prefix}-x64-vulkan` };
}

/** GPU backends node-llama-cpp publishes for this platform, and those installed where it resolves them. */
export function gpuBinaries(platform = process.platform, arch = process.arch): { published: GpuBackendName[]; carried: GpuBackendName[] } {
  const packages = gpuBinaryPackages(platform, arch);
  // node-llama-cpp imports its binary packages by name, so they resolve from its own folder.
  const resolveFromLlama = createRequire(createRequire(import.meta.url).resolve("node-llama-cpp"));
  const carried = (Object.keys(packages) as GpuBackendName[]).filter((backend) => {
    try {
      resolveFromLlama.resolve(`@node-llama-cpp/${packages[backend]}`);
      return true;
    } catch {
      return false;
    }
  });
  return { published: Object.keys(packages) as GpuBackendName[], carried };
}

/** Why a present GPU is unused by `llama`, or null. `disabledByUser`: gpuLayers 0 or DEEPSEEK_LOCAL_GPU=off. */
export async function gpuUnavailableReason(llama: Llama, disabledByUser: boolean): Promise<string | null> {
  if (llama.gpu !== false || disabledByUser) return null;
  const [vendors, librariesFound] = await Promise.all([readGpuVendors(), getLlamaGpuTypes("supported")]);
  return gpuUnavailableMessage({
    platform: process.platform,
    vendors,
    backendInUse: false,
    disabledByUser,
    ...gpuBinaries(),
    librariesFound: librariesFound.filter((type): type is GpuBackendName => type !== false),
  });
}

let gpuUnavailableSaid = false;

/**
 * The reason a present GPU is unused, said through `onWarning` once per engine process (a model
 * reload does not repeat it); the caller keeps it in ModelInfo, so the tooltip goes on saying it.
 */
export async function sayGpuUnavailableOnce(llama: Llama, disabledByUser: boolean, onWarning: (message: string) => void): Promise<string | null> {
  const reason = await gpuUnavailableReason(llama, disabledByUser);
  if (reason && !gpuUnavailableSaid) onWarning(reason);
  gpuUnavailableSaid ||= reason !== null;
  return reason;
}

export function gpuDisabledByEnvironment(): boolean {
  return process.env.DEEPSEEK_LOCAL_GPU === "off";
}

/**
 * What the engine asks getLlama for. `DEEPSEEK_LOCAL_GPU` may name a backend (cuda, vulkan, metal)
 * or `off`. Otherwise "auto", except on a Linux machine with no display controller at all (servers,
 * CI, containers without a GPU): there a Vulkan loader with only a software device (Mesa's
 * lavapipe, installed on most desktops) makes node-llama-cpp load its Vulkan binary with no device,
 * and the model would run on that binary's prebuilt CPU code instead of the CPU build (measured:
 * `gpu: "vulkan"`, no device, 0 VRAM). WSL passes its GPU through /dev/dxg, not the PCI bus.
 */
export async function engineGpuOption(env = process.env, platform = process.platform, vendors?: GpuVendor[] | null): Promise<GpuBackendName | "auto" | false> {
  const asked = env.DEEPSEEK_LOCAL_GPU;
  if (asked === "off") return false;
  if (asked === "cuda" || asked === "vulkan" || asked === "metal") return asked;
  if (platform !== "linux") return "auto";
  const found = vendors === undefined ? await readGpuVendors(platform) : vendors;
  return found !== null && found.length === 0 && !existsSync("/dev/dxg") ? false : "auto";
}

/** The machine as the engine would run a model on it. */
export async function hardwareReport(llama: Llama): Promise<HardwareReport> {
  const [vram, gpuDevices, gpuUnavailable] = await Promise.all([
    llama.getVramState(),
    llama.getGpuDeviceNames(),
    gpuUnavailableReason(llama, gpuDisabledByEnvironment()),
  ]);
  return {
    gpu: llama.gpu,
    gpuDevices,
    vramBytes: vram.total,
    vramFreeBytes: vram.free,
    unifiedMemory: vram.unifiedSize > 0,
    ramBytes: os.totalmem(),
    gpuUnavailable,
  };
}
