// What identifies a cached prefix state on disk, and how an entry's header is checked before
// llama.cpp is allowed near the state file: a state from another model, build or KV layout can
// crash llama.cpp, so a restore happens only when every field matches.
import { createHash } from "node:crypto";
import { z } from "zod";

export const prefixCacheFormatVersion = 1;

export const PrefixCacheKeyFields = z.object({
  /** sha256 of the model file. */
  modelSha256: z.string().regex(/^[0-9a-f]{64}$/),
  /** llama.cpp release, binding version, backend. */
  engineBuild: z.string().min(1),
  /** Context settings that change the KV layout. */
  kvLayout: z.object({ contextSize: z.number(), flashAttention: z.boolean(), kvType: z.string() }),
  /** sha256 of the prefix token ids. */
  tokensSha256: z.string().regex(/^[0-9a-f]{64}$/),
  tokenCount: z.number().int().positive(),
});
export type PrefixCacheKeyFields = z.infer<typeof PrefixCacheKeyFields>;

export const PrefixCacheHeader = z.object({
  format: z.literal(prefixCacheFormatVersion),
  key: z.string(),
  fields: PrefixCacheKeyFields,
  payloadBytes: z.number().int().positive(),
  payloadSha256: z.string().regex(/^[0-9a-f]{64}$/),
  createdAt: z.number(),
});
export type PrefixCacheHeader = z.infer<typeof PrefixCacheHeader>;

export function sha256Hex(data: string | Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

export function hashTokens(tokens: readonly number[]): string {
  return sha256Hex(new Uint8Array(Uint32Array.from(tokens).buffer));
}

/** The entry's file name stem: one entry per distinct key. */
export function prefixCacheKey(fields: PrefixCacheKeyFields): string {
  const { modelSha256, engineBuild, kvLayout, tokensSha256, tokenCount } = fields;
  return sha256Hex(JSON.stringify([prefixCacheFormatVersion, modelSha256, engineBuild, kvLayout, tokensSha256, tokenCount])).slice(0, 40);
}

export type HeaderVerdict = { ok: true; header: PrefixCacheHeader } | { ok: false; reason: string };

/** Parses a header file's text and checks it belongs to exactly this key. */
export function checkHeader(text: string, expected: PrefixCacheKeyFields): HeaderVerdict {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: "the header is not valid JSON" };
  }
  const parsed = PrefixCacheHeader.safeParse(json);
  if (!parsed.success) return { ok: false, reason: "the header does not match the entry format" };
  const header = parsed.data;
  if (header.key !== prefixCacheKey(expected) || JSON.stringify(header.fields) !== JSON.stringify(PrefixCacheKeyFields.parse(expected))) {
    return { ok: false, reason: "the entry belongs to another model, build, KV layout or prefix" };
  }
  return { ok: true, header };
}

export interface CacheEntryInfo {
  key: string;
  bytes: number;
  lastUsed: number;
}

/** Least recently used entries to delete so that the rest fit in `maxBytes`. */
export function planEviction(entries: readonly CacheEntryInfo[], maxBytes: number): string[] {
  let total = entries.reduce((sum, entry) => sum + entry.bytes, 0);
  const evict: string[] = [];
  for (const entry of [...entries].sort((a, b) => a.lastUsed - b.lastUsed)) {
    if (total <= maxBytes) break;
    evict.push(entry.key);
    total -= entry.bytes;
  }
  return evict;
}

/** Bytes per token of the compressed MLA latent: (kv_lora_rank + rope dims) × layers × element size. */
export function mlaLatentBytesPerToken(kvLoraRank: number, ropeDims: number, layers: number, bytesPerElement = 2): number {
  return (kvLoraRank + ropeDims) * layers * bytesPerElement;
}
