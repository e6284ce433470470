// Checks a GGUF file's header before llama.cpp sees it: a malformed `deepseek2` file can pass
// loading and then abort the process at the first decode, so every cause we can detect from the
// header is reported here with the file's name and what to do.

/** [elements per block, bytes per block] by ggml type id (ggml.h `enum ggml_type`). */
const ggmlBlockLayout: Record<number, readonly [number, number]> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  9: [32, 36], // Q8_1
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  15: [256, 292], // Q8_K
  16: [256, 66], // IQ2_XXS
  17: [256, 74], // IQ2_XS
  18: [256, 98], // IQ3_XXS
  19: [256, 50], // IQ1_S
  20: [32, 18], // IQ4_NL
  21: [256, 110], // IQ3_S
  22: [256, 82], // IQ2_S
  23: [256, 136], // IQ4_XS
  24: [1, 1], // I8
  25: [1, 2], // I16
  26: [1, 4], // I32
  27: [1, 8], // I64
  28: [1, 8], // F64
  29: [256, 56], // IQ1_M
  30: [1, 2], // BF16
  34: [256, 54], // TQ1_0
  35: [256, 66], // TQ2_0
  39: [32, 17], // MXFP4
};

export interface TensorHeader {
  name: string;
  dimensions: readonly (number | bigint)[];
  ggmlType: number;
  /** Absolute offset of the tensor's data in the file. */
  fileOffset: number | bigint;
}

/** Bytes a tensor occupies in the file, or null for a type this table does not know. */
export function tensorByteSize(tensor: Pick<TensorHeader, "dimensions" | "ggmlType">): number | null {
  const layout = ggmlBlockLayout[tensor.ggmlType];
  if (!layout) return null;
  const [blockElements, blockBytes] = layout;
  const elements = tensor.dimensions.reduce<number>((product, dim) => product * Number(dim), 1);
  return Math.ceil(elements / blockElements) * blockBytes;
}

/** The smallest file size that holds every tensor the header describes. */
export function expectedMinimumFileSize(tensors: readonly TensorHeader[]): number {
  let end = 0;
  for (const tensor of tensors) {
    const size = tensorByteSize(tensor);
    const start = Number(tensor.fileOffset);
    end = Math.max(end, start + (size ?? 0));
  }
  return end;
}

export const supportedArchitectures = ["deepseek2"] as const;

export type ModelFileProblem =
  | { code: "unsupportedArchitecture"; message: string }
  | { code: "truncatedModel"; message: string }
  | { code: "modelTooLarge"; message: string };

export interface ModelFileFacts {
  path: string;
  fileSize: number;
  architecture: string | undefined;
  tensors: readonly TensorHeader[];
  /** Memory the machine has for the weights (RAM, or RAM + VRAM when offloading). */
  availableMemoryBytes: number;
}

const GiB = 1024 ** 3;
const gib = (bytes: number) => `${(bytes / GiB).toFixed(1)} GiB`;

/** Returns the first reason this file cannot be loaded, or null when the header looks loadable. */
export function findModelFileProblem(facts: ModelFileFacts): ModelFileProblem | null {
  const { path, architecture } = facts;
  if (!architecture || !(supportedArchitectures as readonly string[]).includes(architecture)) {
    return {
      code: "unsupportedArchitecture",
      message:
        `${path} is a "${architecture ?? "unknown"}" model; DeepSeek Local runs DeepSeek MoE models ` +
        `(llama.cpp architecture "deepseek2", e.g. DeepSeek-Coder-V2-Lite). Pick a DeepSeek-Coder-V2 GGUF.`,
    };
  }
  const needed = expectedMinimumFileSize(facts.tensors);
  if (facts.tensors.length === 0 || needed > facts.fileSize) {
    return {
      code: "truncatedModel",
      message:
        facts.tensors.length === 0
          ? `${path} has no tensors: the file is incomplete. Download it again.`
          : `${path} is truncated: its header describes ${needed} bytes but the file has ${facts.fileSize}. ` +
            `The download was probably interrupted; download it again.`,
    };
  }
  const weights = needed;
  if (weights > facts.availableMemoryBytes) {
    return {
      code: "modelTooLarge",
      message:
        `${path} needs about ${gib(weights)} for its weights, more than the ${gib(facts.availableMemoryBytes)} ` +
        `this machine has. Choose a smaller quantization (e.g. Q4_K_M) or a smaller model.`,
    };
  }
  return null;
}
