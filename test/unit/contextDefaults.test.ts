import { describe, expect, it } from "vitest";
import { attentionHeadSizes, defaultBatchSize, defaultFlashAttention, defaultMmap, defaultThreads } from "../../src/engine/contextDefaults";

describe("attentionHeadSizes", () => {
  it("reads DeepSeek MLA heads as the kernel sees them: latent + rope keys, latent values", () => {
    // DeepSeek-Coder-V2-Lite: kv_lora_rank 512, qk_rope_head_dim 64.
    const v2Lite = { embedding_length: 2048, attention: { head_count: 16, kv_lora_rank: 512, key_length: 192, value_length: 128 }, rope: { dimension_count: 64 } };
    expect(attentionHeadSizes(v2Lite)).toEqual({ key: 576, value: 512 });
    // The tiny synthetic test model.
    expect(attentionHeadSizes({ attention: { head_count: 4, kv_lora_rank: 32 }, rope: { dimension_count: 16 } })).toEqual({ key: 48, value: 32 });
  });

  it("uses key/value lengths, else the embedding split across the heads", () => {
    expect(attentionHeadSizes({ embedding_length: 4096, attention: { head_count: 32, key_length: 128, value_length: 96 } })).toEqual({ key: 128, value: 96 });
    expect(attentionHeadSizes({ embedding_length: 4096, attention: { head_count: 32 } })).toEqual({ key: 128, value: 128 });
  });

  it("says nothing when the metadata does not tell", () => {
    expect(attentionHeadSizes({})).toBeNull();
    expect(attentionHeadSizes({ embedding_length: 4096, attention: { head_count: [32, 32] } })).toBeNull();
    expect(attentionHeadSizes(undefined)).toBeNull();
  });
});

describe("defaultFlashAttention", () => {
  it("is on for CPU-only loads of SIMD-wide heads", () => {
    expect(defaultFlashAttention(true, { key: 576, value: 512 })).toBe(true);
    expect(defaultFlashAttention(true, { key: 128, value: 64 })).toBe(true);
  });

  it("is off with GPU layers, for narrow heads, and when the heads are unknown", () => {
    expect(defaultFlashAttention(false, { key: 576, value: 512 })).toBe(false);
    expect(defaultFlashAttention(true, { key: 48, value: 32 })).toBe(false);
    expect(defaultFlashAttention(true, { key: 128, value: 96 })).toBe(false);
    expect(defaultFlashAttention(true, null)).toBe(false);
  });
});

describe("threads and batch size", () => {
  it("leaves one core to the editor, never fewer than one thread", () => {
    expect(defaultThreads(8)).toBe(7);
    expect(defaultThreads(1)).toBe(1);
  });

  it("uses 256-token micro-batches on the CPU and leaves GPUs to node-llama-cpp", () => {
    expect(defaultBatchSize(true)).toBe(256);
    expect(defaultBatchSize(false)).toBeUndefined();
  });
});

describe("defaultMmap", () => {
  it("loads CPU-only models without mmap (one copy of the repacked weights), and leaves GPU loads to node-llama-cpp", () => {
    expect(defaultMmap(true)).toBe(false);
    expect(defaultMmap(false)).toBe("auto");
  });
});
