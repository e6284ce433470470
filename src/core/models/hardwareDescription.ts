// Builds the hardware description the recommendation needs: from the engine's node-llama-cpp
// report (backend, devices, VRAM; NVIDIA, AMD, Intel and Apple alike) when the engine could be
// asked, else from facts the host gathers itself (platform, RAM, `nvidia-smi`). Pure, so the rules
// are testable without the hardware.
import type { HardwareReport, ModelInfo } from "../../protocol/engine.js";
import { backendName } from "./gpuFallback.js";
import type { HardwareDescription } from "./recommendation.js";

export interface HostFacts {
  platform: NodeJS.Platform;
  arch: string;
  ramBytes: number;
  /** Output of `nvidia-smi --query-gpu=name,memory.total --format=csv,noheader,nounits`, or null. */
  nvidiaSmi: string | null;
}

/** The first NVIDIA GPU in nvidia-smi's CSV: "NVIDIA GeForce RTX 3070, 8192" (MiB). */
export function parseNvidiaSmi(output: string): { name: string; vramBytes: number } | null {
  for (const line of output.split(/\r?\n/)) {
    const match = /^\s*(.+?)\s*,\s*(\d+)\s*$/.exec(line);
    if (match) return { name: match[1]!, vramBytes: Number(match[2]) * 1024 * 1024 };
  }
  return null;
}

export function describeHardware(facts: HostFacts): HardwareDescription {
  // node-llama-cpp uses Metal on Apple silicon, where the GPU shares the RAM.
  if (facts.platform === "darwin" && facts.arch === "arm64") {
    return { gpu: "metal", gpuName: "Apple silicon", vramBytes: 0, unifiedMemory: true, ramBytes: facts.ramBytes };
  }
  const nvidia = facts.nvidiaSmi ? parseNvidiaSmi(facts.nvidiaSmi) : null;
  if (nvidia) return { gpu: "cuda", gpuName: nvidia.name, vramBytes: nvidia.vramBytes, unifiedMemory: false, ramBytes: facts.ramBytes };
  return { gpu: false, vramBytes: 0, unifiedMemory: false, ramBytes: facts.ramBytes };
}

/**
 * The engine's report as the recommendation's input. A GPU counts only when node-llama-cpp loaded
 * a backend for it; one it cannot use is said in `gpuUnavailable`, and the model is sized for the CPU.
 */
export function describeEngineHardware(report: HardwareReport): HardwareDescription {
  const names = report.gpuDevices.join(", ");
  if (report.gpu === false || (report.vramBytes === 0 && !report.unifiedMemory)) {
    return { gpu: false, vramBytes: 0, unifiedMemory: false, ramBytes: report.ramBytes };
  }
  return {
    gpu: report.gpu,
    ...(names ? { gpuName: names } : {}),
    vramBytes: report.unifiedMemory ? 0 : report.vramBytes,
    unifiedMemory: report.unifiedMemory,
    ramBytes: report.ramBytes,
  };
}

/** Which backend runs the model and how many layers run where: "Vulkan (AMD Radeon RX 7800 XT): 28 of 28 layers on the GPU, 0 on the CPU". */
export function placementLine(model: Pick<ModelInfo, "gpu" | "gpuLayers" | "totalLayers" | "gpuDevices">): string {
  if (!model.gpu) return "CPU only (no GPU backend loaded)";
  const devices = model.gpuDevices?.length ? ` (${model.gpuDevices.join(", ")})` : "";
  if (model.totalLayers === null) return `${backendName(model.gpu)}${devices}: ${model.gpuLayers} layers on the GPU`;
  // llama.cpp counts the output layer as one more offloadable layer than the blocks.
  const layers = model.totalLayers + 1;
  return `${backendName(model.gpu)}${devices}: ${model.gpuLayers} of ${layers} layers on the GPU, ${Math.max(0, layers - model.gpuLayers)} on the CPU`;
}
