// Builds the hardware description the recommendation needs from facts the host can gather
// (platform, RAM, `nvidia-smi` output), so the rules are testable without the hardware.
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
