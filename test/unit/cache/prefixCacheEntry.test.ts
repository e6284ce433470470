import { describe, expect, it } from "vitest";
import { describeCacheStats } from "../../../src/core/cache/describeCacheStats.js";
import {
  checkHeader,
  hashTokens,
  mlaLatentBytesPerToken,
  planEviction,
  prefixCacheFormatVersion,
  prefixCacheKey,
  type PrefixCacheKeyFields,
} from "../../../src/core/cache/prefixCacheEntry.js";

const fields: PrefixCacheKeyFields = {
  modelSha256: "a".repeat(64),
  engineBuild: "node-llama-cpp@x#b1/prebuilt/cpu",
  kvLayout: { contextSize: 4096, flashAttention: false, kvType: "f16" },
  tokensSha256: hashTokens([1, 2, 3]),
  tokenCount: 3,
};
const header = (overrides: Partial<PrefixCacheKeyFields> = {}) =>
  JSON.stringify({
    format: prefixCacheFormatVersion,
    key: prefixCacheKey({ ...fields, ...overrides }),
    fields: { ...fields, ...overrides },
    payloadBytes: 10,
    payloadSha256: "b".repeat(64),
    createdAt: 1,
  });

describe("prefix cache keys and headers", () => {
  it("gives different keys for different models, builds, layouts and prefixes", () => {
    const keys = new Set([
      prefixCacheKey(fields),
      prefixCacheKey({ ...fields, modelSha256: "c".repeat(64) }),
      prefixCacheKey({ ...fields, engineBuild: "other" }),
      prefixCacheKey({ ...fields, kvLayout: { ...fields.kvLayout, flashAttention: true } }),
      prefixCacheKey({ ...fields, tokensSha256: hashTokens([1, 2, 4]) }),
    ]);
    expect(keys.size).toBe(5);
  });

  it("accepts a header written for exactly this key", () => {
    expect(checkHeader(header(), fields)).toMatchObject({ ok: true });
  });

  it("refuses a header of another model even under this key's file name", () => {
    expect(checkHeader(header({ modelSha256: "d".repeat(64) }), fields)).toMatchObject({ ok: false, reason: expect.stringMatching(/another model/) });
  });

  it("refuses broken and truncated headers", () => {
    expect(checkHeader(header().slice(0, 40), fields)).toMatchObject({ ok: false, reason: expect.stringMatching(/JSON/) });
    expect(checkHeader("{}", fields)).toMatchObject({ ok: false, reason: expect.stringMatching(/format/) });
  });

  it("hashes token ids, not their text", () => {
    expect(hashTokens([1, 2, 3])).not.toBe(hashTokens([1, 2, 3, 0]));
    expect(hashTokens([256])).not.toBe(hashTokens([1, 0]));
  });
});

describe("planEviction", () => {
  it("evicts least recently used entries until the rest fit", () => {
    const entries = [
      { key: "new", bytes: 40, lastUsed: 30 },
      { key: "old", bytes: 40, lastUsed: 10 },
      { key: "mid", bytes: 40, lastUsed: 20 },
    ];
    expect(planEviction(entries, 100)).toEqual(["old"]);
    expect(planEviction(entries, 40)).toEqual(["old", "mid"]);
    expect(planEviction(entries, 120)).toEqual([]);
  });
});

describe("cache figures", () => {
  it("computes the MLA latent size of DeepSeek-Coder-V2-Lite", () => {
    // (512 + 64) × 27 layers × 2 bytes ≈ 31 KB per token.
    expect(mlaLatentBytesPerToken(512, 64, 27)).toBe(31_104);
  });

  it("describes stats for a person", () => {
    const text = describeCacheStats({
      disk: { enabled: false, disabledReason: "the disk is full", directory: "/c", maxBytes: 1024 ** 3, entries: 2, bytesOnDisk: 2048, tokensOnDisk: 10, hits: 3, misses: 1, writes: 2, corrupt: 1, evictions: 0 },
      bytesPerToken: 205,
      mlaLatentBytesPerToken: 192,
      reusedTokens: 100,
      evaluatedTokens: 50,
    });
    expect(text).toContain("off: the disk is full");
    expect(text).toContain("Hits 3, misses 1");
    expect(text).toContain("205 B per cached token (MLA latent: 192 B)");
  });
});
