// Which catalog file and how many GPU layers suit a machine, and why — pure arithmetic over an
// injected hardware description, so CUDA, Metal and CPU-only machines can be tested anywhere.
import type { CatalogEntry, ModelCatalog, Quantization } from "./catalog.js";

export type GpuKind = "cuda" | "metal" | "vulkan";

export interface HardwareDescription {
  /** The GPU backend node-llama-cpp would use, or false for CPU only. */
  gpu: GpuKind | false;
  gpuName?: string;
  /** Memory of a discrete GPU; ignored when `unifiedMemory` (Apple silicon shares RAM). */
  vramBytes: number;
  unifiedMemory: boolean;
  ramBytes: number;
}

export interface RecommendationRequest {
  hardware: HardwareDescription;
  catalog: ModelCatalog;
  variant: CatalogEntry["variant"];
  contextSize: number;
}

export interface Recommendation {
  /** null when no catalog file fits this machine. */
  entry: CatalogEntry | null;
  /** Layers to offload (llama.cpp counts the blocks plus the output layer). */
  gpuLayers: number;
  totalLayers: number;
  placement: "gpu" | "split" | "cpu" | "none";
  /** Memory the model needs with this context: weights + KV cache + compute buffers. */
  neededBytes: number;
  /** Sentences explaining the choice, for the welcome message. */
  reasons: string[];
}

export const GiB = 1024 ** 3;
/** Compute buffers and scratch space llama.cpp allocates beside weights and KV cache. */
export const computeOverheadBytes = 0.5 * GiB;
/** Drivers and the display keep part of a discrete GPU's memory. */
export const usableVramFraction = 0.9;
/** macOS lets the GPU wire about three quarters of unified memory by default. */
export const metalWorkingSetFraction = 0.75;

export function formatGiB(bytes: number): string {
  return `${(bytes / GiB).toFixed(1)} GiB`;
}

/** RAM left for the model after the OS, the editor and its extensions: at least 4 GiB or a quarter. */
export function usableRamBytes(ramBytes: number): number {
  return Math.max(0, ramBytes - Math.max(4 * GiB, ramBytes * 0.25));
}

export function kvCacheBytes(catalog: ModelCatalog, contextSize: number): number {
  return catalog.architecture.kvBytesPerToken * contextSize;
}

export function modelMemoryBytes(entry: CatalogEntry, catalog: ModelCatalog, contextSize: number): number {
  return entry.sizeBytes + kvCacheBytes(catalog, contextSize) + computeOverheadBytes;
}

function gpuLabel(hardware: HardwareDescription): string {
  const kind = hardware.gpu === "cuda" ? "CUDA" : hardware.gpu === "metal" ? "Metal" : hardware.gpu === "vulkan" ? "Vulkan" : "CPU";
  return hardware.gpuName ? `${kind} (${hardware.gpuName})` : kind;
}

/** Memory the GPU can hold the model in, or 0 without a GPU. */
export function gpuBudgetBytes(hardware: HardwareDescription): number {
  if (!hardware.gpu) return 0;
  if (hardware.unifiedMemory) {
    return Math.min(hardware.ramBytes * metalWorkingSetFraction, usableRamBytes(hardware.ramBytes));
  }
  return hardware.vramBytes * usableVramFraction;
}

/** Layers that fit in `budget`, counting each layer's share of weights and KV cache. */
export function layersThatFit(entry: CatalogEntry, catalog: ModelCatalog, contextSize: number, budget: number): number {
  const totalLayers = catalog.architecture.blockCount + 1;
  const perLayer = (entry.sizeBytes + kvCacheBytes(catalog, contextSize)) / totalLayers;
  const room = budget - computeOverheadBytes;
  if (room <= 0) return 0;
  return Math.max(0, Math.min(totalLayers, Math.floor(room / perLayer)));
}

/**
 * The rule, in order:
 * 1. Q5_K_M only when it fits entirely in GPU memory (then speed is plentiful and quality wins).
 * 2. Otherwise Q4_K_M, the usual quality/size balance, with as many layers on the GPU as fit.
 * 3. Q3_K_M only when Q4_K_M does not fit in RAM + GPU memory at all.
 * On CPU only, generation is bound by memory bandwidth, so Q5_K_M is never picked there.
 */
export function recommendModel(request: RecommendationRequest): Recommendation {
  const { hardware, catalog, variant, contextSize } = request;
  const totalLayers = catalog.architecture.blockCount + 1;
  const byQuant = (q: Quantization) => catalog.models.find((m) => m.variant === variant && m.quantization === q);
  const gpuBudget = gpuBudgetBytes(hardware);
  const ramBudget = usableRamBytes(hardware.ramBytes);
  // Unified memory is one pool: offloading does not add memory, it only moves the work.
  const totalBudget = hardware.unifiedMemory && hardware.gpu ? gpuBudget : ramBudget + gpuBudget;
  const label = gpuLabel(hardware);
  const context = `${contextSize}-token context`;
  const memoryLine = hardware.gpu
    ? hardware.unifiedMemory
      ? `${label} with ${formatGiB(hardware.ramBytes)} unified memory, of which about ${formatGiB(gpuBudget)} can hold the model.`
      : `${label} GPU with ${formatGiB(hardware.vramBytes)} VRAM, and ${formatGiB(hardware.ramBytes)} RAM (about ${formatGiB(ramBudget)} free for the model).`
    : `No GPU found: the model runs on the CPU with ${formatGiB(hardware.ramBytes)} RAM (about ${formatGiB(ramBudget)} free for the model).`;

  const q5 = byQuant("Q5_K_M");
  if (hardware.gpu && q5 && modelMemoryBytes(q5, catalog, contextSize) <= gpuBudget) {
    return {
      entry: q5,
      gpuLayers: totalLayers,
      totalLayers,
      placement: "gpu",
      neededBytes: modelMemoryBytes(q5, catalog, contextSize),
      reasons: [
        memoryLine,
        `${q5.quantization} needs about ${formatGiB(modelMemoryBytes(q5, catalog, contextSize))} with a ${context} and fits entirely on the GPU, so the higher-quality quantization costs little speed.`,
      ],
    };
  }

  for (const quantization of ["Q4_K_M", "Q3_K_M"] as const) {
    const entry = byQuant(quantization);
    if (!entry) continue;
    const needed = modelMemoryBytes(entry, catalog, contextSize);
    if (needed > totalBudget) continue;
    const reasons = [memoryLine];
    if (quantization === "Q3_K_M") {
      reasons.push(
        `Q4_K_M would need about ${formatGiB(modelMemoryBytes(byQuant("Q4_K_M") ?? entry, catalog, contextSize))}, more than this machine has free; Q3_K_M needs about ${formatGiB(needed)} with a ${context} (lower quality; a smaller context size would let Q4_K_M fit).`,
      );
    } else if (!hardware.gpu) {
      reasons.push(
        `Q4_K_M needs about ${formatGiB(needed)} with a ${context}. On a CPU, speed is bound by memory bandwidth, so Q4_K_M is faster than Q5_K_M at nearly the same quality.`,
      );
    } else {
      reasons.push(`Q5_K_M would not fit entirely in GPU memory; Q4_K_M (about ${formatGiB(needed)} with a ${context}) is the usual balance of quality and size.`);
    }
    if (!hardware.gpu) return { entry, gpuLayers: 0, totalLayers, placement: "cpu", neededBytes: needed, reasons };
    const gpuLayers = hardware.unifiedMemory ? totalLayers : layersThatFit(entry, catalog, contextSize, gpuBudget);
    const placement = gpuLayers >= totalLayers ? "gpu" : gpuLayers > 0 ? "split" : "cpu";
    reasons.push(
      placement === "gpu"
        ? `All ${totalLayers} layers go on the GPU.`
        : placement === "split"
          ? `${gpuLayers} of ${totalLayers} layers go on the GPU and the rest run on the CPU.`
          : `The GPU memory is too small for any layer; the model runs on the CPU.`,
    );
    return { entry, gpuLayers, totalLayers, placement, neededBytes: needed, reasons };
  }

  const smallest = byQuant("Q3_K_M");
  return {
    entry: null,
    gpuLayers: 0,
    totalLayers,
    placement: "none",
    neededBytes: smallest ? modelMemoryBytes(smallest, catalog, contextSize) : 0,
    reasons: [
      memoryLine,
      `Even the smallest file (${smallest ? formatGiB(modelMemoryBytes(smallest, catalog, contextSize)) : "?"} with a ${context}) does not fit. Lower deepseekLocal.engine.contextSize, or point DeepSeek Local at a server running the model.`,
    ],
  };
}
