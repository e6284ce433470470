// Which catalog file and how many GPU layers suit a machine, and why — pure arithmetic over an
// injected hardware description, so CUDA, Metal and CPU-only machines can be tested anywhere.
import { sequenceNames } from "../../protocol/engine.js";
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
  /** Memory the model needs with this context: weights + every sequence's KV cache + compute buffers. */
  neededBytes: number;
  /** When nothing fits: the largest context size at which the smallest file would. */
  contextSizeThatFits?: number;
  /** Sentences explaining the choice, for the welcome message. */
  reasons: string[];
}

export const GiB = 1024 ** 3;
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

/** What of a model's shape decides its memory beside the weights. */
export type MemoryShape = Pick<ModelCatalog["architecture"], "blockCount" | "kvBytesPerToken" | "vocabularySize" | "headCount">;

/** How the engine builds its context (loadedModel.ts, contextDefaults.ts). */
export interface ContextPlan {
  /** Tokens per sequence: each sequence has its own KV cache of this size. */
  contextSize: number;
  /** One sequence per feature: completion, chat, refactor. */
  sequences: number;
  /** Tokens per micro-batch (llama.cpp's n_ubatch): the engine's 256 on the CPU, node-llama-cpp's 512 with a GPU. */
  microBatch: number;
  flashAttention: boolean;
}

export const engineSequences = sequenceNames.length;

/**
 * The plan the engine uses, taken conservatively: flash attention off (the GPU default; on the CPU
 * the engine turns it on where the heads allow, which only shrinks the compute buffer).
 */
export function enginePlan(contextSize: number, onGpu: boolean): ContextPlan {
  return { contextSize, sequences: engineSequences, microBatch: onGpu ? 512 : 256, flashAttention: false };
}

export function kvCacheBytes(shape: MemoryShape, plan: ContextPlan): number {
  return shape.kvBytesPerToken * plan.contextSize * plan.sequences;
}

/**
 * The attention scratch measured on llama.cpp's deepseek2 graph without flash attention (synthetic
 * model, 4 heads, micro-batch 256): 1.31 × the score matrix (heads × context × micro-batch × 4 B)
 * at 32K and 64K tokens per sequence.
 */
const attentionScratchFactor = 1.32;
/** Tensors alive beside the logits at their peak (measured: 0.5% more than the logits alone); 2% leaves room. */
const logitsPeakFactor = 1.02;

/**
 * llama.cpp's compute buffer (reserved for the worst micro-batch, reused between operations, so the
 * larger of its two peaks) plus the output buffer (one row of logits per sequence). The logits peak
 * is vocabulary × micro-batch × 4 B; the attention peak grows with the context unless flash
 * attention tiles it away.
 */
export function computeBufferBytes(shape: MemoryShape, plan: ContextPlan): number {
  const logits = logitsPeakFactor * shape.vocabularySize * plan.microBatch * 4;
  const attention = plan.flashAttention ? 0 : attentionScratchFactor * shape.headCount * plan.contextSize * plan.microBatch * 4;
  const outputs = shape.vocabularySize * plan.sequences * 4;
  return Math.max(logits, attention) + outputs;
}

export interface MemoryEstimate {
  weightsBytes: number;
  kvBytes: number;
  computeBytes: number;
  totalBytes: number;
}

/** Weights (the file size: a little more than the tensors) + every sequence's KV cache + compute buffers. */
export function estimateMemory(weightsBytes: number, shape: MemoryShape, plan: ContextPlan): MemoryEstimate {
  const kvBytes = kvCacheBytes(shape, plan);
  const computeBytes = computeBufferBytes(shape, plan);
  return { weightsBytes, kvBytes, computeBytes, totalBytes: weightsBytes + kvBytes + computeBytes };
}

export function modelMemoryBytes(entry: CatalogEntry, catalog: ModelCatalog, plan: ContextPlan): number {
  return estimateMemory(entry.sizeBytes, catalog.architecture, plan).totalBytes;
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

/** Layers that fit in `budget`, counting each layer's share of weights and KV cache; the compute buffers come first. */
export function layersThatFit(entry: CatalogEntry, catalog: ModelCatalog, plan: ContextPlan, budget: number): number {
  const totalLayers = catalog.architecture.blockCount + 1;
  const perLayer = (entry.sizeBytes + kvCacheBytes(catalog.architecture, plan)) / totalLayers;
  const room = budget - computeBufferBytes(catalog.architecture, plan);
  if (room <= 0) return 0;
  return Math.max(0, Math.min(totalLayers, Math.floor(room / perLayer)));
}

/** "about 14.1 GiB with 8192 tokens of context (7.6 GiB weights, 6.3 GiB KV cache for its 3 sequences, 0.2 GiB compute buffers)". */
function neededLine(estimate: MemoryEstimate, plan: ContextPlan): string {
  return (
    `about ${formatGiB(estimate.totalBytes)} with ${plan.contextSize} tokens of context (${formatGiB(estimate.weightsBytes)} weights, ` +
    `${formatGiB(estimate.kvBytes)} KV cache for its ${plan.sequences} sequences, ${formatGiB(estimate.computeBytes)} compute buffers)`
  );
}

/** The largest power-of-two context (at least 1024 tokens) at which `entry` fits in `budget`, or null. */
export function largestContextThatFits(entry: CatalogEntry, catalog: ModelCatalog, budget: number, onGpu: boolean, below: number): number | null {
  for (let contextSize = 2 ** Math.floor(Math.log2(below - 1)); contextSize >= 1024; contextSize /= 2) {
    if (modelMemoryBytes(entry, catalog, enginePlan(contextSize, onGpu)) <= budget) return contextSize;
  }
  return null;
}

function memoryLine(hardware: HardwareDescription, gpuBudget: number, ramBudget: number): string {
  const label = gpuLabel(hardware);
  if (!hardware.gpu) return `No GPU in use: the model runs on the CPU with ${formatGiB(hardware.ramBytes)} RAM (about ${formatGiB(ramBudget)} free for the model after the OS and the editor).`;
  if (hardware.unifiedMemory) return `${label} with ${formatGiB(hardware.ramBytes)} unified memory, of which about ${formatGiB(gpuBudget)} can hold the model.`;
  return `${label} GPU with ${formatGiB(hardware.vramBytes)} VRAM, and ${formatGiB(hardware.ramBytes)} RAM (about ${formatGiB(ramBudget)} free for the model after the OS and the editor).`;
}

/**
 * The rule, in order:
 * 1. Q5_K_M only when it fits entirely in GPU memory (then speed is plentiful and quality wins).
 * 2. Otherwise Q4_K_M, the usual quality/size balance, with as many layers on the GPU as fit.
 * 3. Q3_K_M only when Q4_K_M does not fit in RAM + GPU memory at all.
 * On CPU only, generation is bound by memory bandwidth, so Q5_K_M is never picked there.
 * Memory counts the weights, the KV cache of each of the engine's sequences and llama.cpp's
 * compute buffers; the OS and the editor keep their share of RAM (`usableRamBytes`).
 */
export function recommendModel(request: RecommendationRequest): Recommendation {
  const { hardware, catalog, variant, contextSize } = request;
  const totalLayers = catalog.architecture.blockCount + 1;
  const byQuant = (q: Quantization) => catalog.models.find((m) => m.variant === variant && m.quantization === q);
  const gpuBudget = gpuBudgetBytes(hardware);
  const ramBudget = usableRamBytes(hardware.ramBytes);
  // Unified memory is one pool: offloading does not add memory, it only moves the work.
  const totalBudget = hardware.unifiedMemory && hardware.gpu ? gpuBudget : ramBudget + gpuBudget;
  const plan = enginePlan(contextSize, hardware.gpu !== false);
  const estimateOf = (entry: CatalogEntry) => estimateMemory(entry.sizeBytes, catalog.architecture, plan);
  const machine = memoryLine(hardware, gpuBudget, ramBudget);

  const q5 = byQuant("Q5_K_M");
  if (hardware.gpu && q5 && estimateOf(q5).totalBytes <= gpuBudget) {
    const estimate = estimateOf(q5);
    return {
      entry: q5,
      gpuLayers: totalLayers,
      totalLayers,
      placement: "gpu",
      neededBytes: estimate.totalBytes,
      reasons: [machine, `Q5_K_M needs ${neededLine(estimate, plan)} and fits entirely on the GPU, so the higher-quality quantization costs little speed.`],
    };
  }

  for (const quantization of ["Q4_K_M", "Q3_K_M"] as const) {
    const entry = byQuant(quantization);
    if (!entry || estimateOf(entry).totalBytes > totalBudget) continue;
    const estimate = estimateOf(entry);
    const reasons = [machine, choiceLine(quantization, hardware, estimate, plan, byQuant("Q4_K_M") && estimateOf(byQuant("Q4_K_M")!))];
    if (!hardware.gpu) return { entry, gpuLayers: 0, totalLayers, placement: "cpu", neededBytes: estimate.totalBytes, reasons };
    const gpuLayers = hardware.unifiedMemory ? totalLayers : layersThatFit(entry, catalog, plan, gpuBudget);
    const placement = gpuLayers >= totalLayers ? "gpu" : gpuLayers > 0 ? "split" : "cpu";
    reasons.push(
      placement === "gpu"
        ? `All ${totalLayers} layers go on the GPU.`
        : placement === "split"
          ? `${gpuLayers} of ${totalLayers} layers go on the GPU and the rest run on the CPU.`
          : `The GPU memory is too small for any layer; the model runs on the CPU.`,
    );
    return { entry, gpuLayers, totalLayers, placement, neededBytes: estimate.totalBytes, reasons };
  }
  return nothingFits(byQuant("Q3_K_M"), catalog, plan, totalBudget, hardware.gpu !== false, machine);
}

function choiceLine(quantization: "Q4_K_M" | "Q3_K_M", hardware: HardwareDescription, estimate: MemoryEstimate, plan: ContextPlan, q4: MemoryEstimate | undefined): string {
  if (quantization === "Q3_K_M") {
    return (
      `Q4_K_M would need about ${formatGiB(q4?.totalBytes ?? estimate.totalBytes)}, more than this machine has free; Q3_K_M needs ${neededLine(estimate, plan)} ` +
      `(lower quality; a smaller context size would let Q4_K_M fit).`
    );
  }
  if (!hardware.gpu) {
    return `Q4_K_M needs ${neededLine(estimate, plan)}. On a CPU, speed is bound by memory bandwidth, so Q4_K_M is faster than Q5_K_M at nearly the same quality.`;
  }
  return `Q5_K_M would not fit entirely in GPU memory; Q4_K_M (${neededLine(estimate, plan)}) is the usual balance of quality and size.`;
}

function nothingFits(smallest: CatalogEntry | undefined, catalog: ModelCatalog, plan: ContextPlan, budget: number, onGpu: boolean, machine: string): Recommendation {
  const totalLayers = catalog.architecture.blockCount + 1;
  const estimate = smallest && estimateMemory(smallest.sizeBytes, catalog.architecture, plan);
  const fitsAt = smallest ? largestContextThatFits(smallest, catalog, budget, onGpu, plan.contextSize) : null;
  const fix = fitsAt
    ? `Set deepseekLocal.engine.contextSize to ${fitsAt} (it then fits), or point DeepSeek Local at a server running the model.`
    : `Point DeepSeek Local at a server running the model.`;
  return {
    entry: null,
    gpuLayers: 0,
    totalLayers,
    placement: "none",
    neededBytes: estimate?.totalBytes ?? 0,
    ...(fitsAt ? { contextSizeThatFits: fitsAt } : {}),
    reasons: [machine, `Even the smallest file needs ${estimate ? neededLine(estimate, plan) : "more"}, more than this machine has free. ${fix}`],
  };
}
