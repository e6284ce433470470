// How the engine sizes its llama.cpp context when the settings leave it open: threads, prompt
// micro-batch and flash attention. Pure functions of what the machine and the GGUF say, measured on
// this project's 2-core development machine (docs/performance.md).

/**
 * Leave one core to the editor: ggml's threads meet at a barrier after every operation, and when
 * one of them loses its core to the extension host (or the engine's own JS thread between
 * tokens) the others spin. Measured on 2 cores: 1 thread generated 280 tok/s where 2 threads
 * fell to 6–9 tok/s with one other busy process; prompt speed was the same.
 */
export function defaultThreads(mathCores: number): number {
  return Math.max(1, mathCores - 1);
}

/** Per-head key and value widths as llama.cpp's attention kernels see them. */
export interface AttentionHeadSizes {
  key: number;
  value: number;
}

/** The part of a GGUF's architecture metadata that says how its attention is shaped. */
interface AttentionMetadata {
  embedding_length?: number;
  attention?: { kv_lora_rank?: number; key_length?: number; value_length?: number; head_count?: number | number[] };
  rope?: { dimension_count?: number };
}

/** DeepSeek's MLA latent per token and layer (what its KV cache holds), or null for other attention. */
export function mlaLatentDims(architectureMetadata: unknown): { kvLoraRank: number; ropeDims: number } | null {
  const arch = (architectureMetadata ?? {}) as AttentionMetadata;
  const kvLoraRank = arch.attention?.kv_lora_rank;
  const ropeDims = arch.rope?.dimension_count;
  return kvLoraRank && ropeDims ? { kvLoraRank, ropeDims } : null;
}

/**
 * Reads the head sizes from a GGUF's architecture metadata. DeepSeek's MLA attends in the
 * compressed latent (keys: kv_lora_rank + rope dims, values: kv_lora_rank); other models carry
 * key/value lengths or split the embedding across the heads.
 */
export function attentionHeadSizes(architectureMetadata: unknown): AttentionHeadSizes | null {
  const mla = mlaLatentDims(architectureMetadata);
  if (mla) return { key: mla.kvLoraRank + mla.ropeDims, value: mla.kvLoraRank };
  const arch = (architectureMetadata ?? {}) as AttentionMetadata;
  const attention = arch.attention;
  const heads = typeof attention?.head_count === "number" ? attention.head_count : undefined;
  const key = attention?.key_length ?? (arch.embedding_length && heads ? arch.embedding_length / heads : undefined);
  const value = attention?.value_length ?? key;
  return key && value ? { key, value } : null;
}

/**
 * Flash attention when the setting is "auto": on for CPU-only loads whose head sizes are multiples
 * of 64, off otherwise. On the CPU it speeds up prompts and decoding (V2-Lite shape, heads 576 /
 * 512, 2 threads: prompts +11–24%, decoding +18–31%). Below ggml's 64-element SIMD step the
 * prebuilt CPU library runs the kernel's rows as a scalar loop with software fp16 conversion and
 * decoding gets slower instead (heads 48 / 32: ~300 → ~205 tok/s; heads 128 / 64: 255 → 310–336).
 * With GPU layers it stays off: a backend without the kernel runs the op on the CPU.
 */
export function defaultFlashAttention(cpuOnly: boolean, heads: AttentionHeadSizes | null): boolean {
  return cpuOnly && heads !== null && heads.key % 64 === 0 && heads.value % 64 === 0;
}

/**
 * Prompt tokens per llama.cpp micro-batch. On the CPU 256 is at least as fast as node-llama-cpp's
 * 512 and halves how long an abort waits for the batch in flight. Measured on 2 cores: without
 * flash attention 256 is faster (each batch builds a heads × cached tokens × batch score matrix
 * that outgrows the cache at 512; tiny model 9.4k → 11.6k prompt tok/s, V2-Lite-shaped Q4_0
 * 15.0 → 15.8), with it level (V2-Lite, 2,048 tokens: 24.4 vs 24.5). GPUs want big batches.
 */
export function defaultBatchSize(cpu: boolean): number | undefined {
  return cpu ? 256 : undefined;
}

/**
 * Memory-map the model file when the setting leaves it open: not for CPU-only loads, where
 * llama.cpp repacks the weights into a second, rearranged copy and the mapped file would stay
 * resident beside it (issue 11: 2× the file in RSS); node-llama-cpp's own choice when a GPU
 * takes layers.
 */
export function defaultMmap(cpuOnly: boolean): false | "auto" {
  return cpuOnly ? false : "auto";
}
