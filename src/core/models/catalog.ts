// The downloadable models, read from catalog.json and validated once, so a bad edit of the data
// file fails loudly in tests instead of offering a broken download.
import { z } from "zod";
import catalogData from "./catalog.json";

export const modelRoles = ["completion", "chat"] as const;
export const ModelRole = z.enum(modelRoles);
export type ModelRole = z.infer<typeof ModelRole>;

/** Ordered from smallest to largest file: the recommendation walks this order. */
export const quantizations = ["Q3_K_M", "Q4_K_M", "Q5_K_M"] as const;
export const Quantization = z.enum(quantizations);
export type Quantization = z.infer<typeof Quantization>;

const sha256Pattern = /^[0-9a-f]{64}$/;

export const CatalogEntry = z
  .object({
    id: z.string().regex(/^[a-z0-9_.-]+$/),
    name: z.string().min(1),
    variant: z.enum(["base", "instruct"]),
    quantization: Quantization,
    fileName: z.string().regex(/^[^/\\]+\.gguf$/),
    url: z.string().url().startsWith("https://"),
    sizeBytes: z.number().int().positive(),
    /**
     * null: no checksum was checked for this file here; the downloader takes the one the server
     * publishes (Hugging Face's X-Linked-Etag), and without one it cannot call a download verified.
     * When both exist they must agree, or nothing is installed.
     */
    sha256: z.string().regex(sha256Pattern).nullable(),
    contextLength: z.number().int().positive(),
    roles: z.array(ModelRole).min(1),
    /** What was not checked against the publisher, and why. */
    unverified: z.array(z.string()).default([]),
  })
  .strict();
export type CatalogEntry = z.infer<typeof CatalogEntry>;

export const ModelArchitectureFacts = z
  .object({
    $comment: z.string().optional(),
    blockCount: z.number().int().positive(),
    kvBytesPerToken: z.number().int().positive(),
    mlaKvBytesPerToken: z.number().int().positive(),
    /** Sizes llama.cpp's compute buffers: the logits of a micro-batch, and attention scores per head. */
    vocabularySize: z.number().int().positive(),
    headCount: z.number().int().positive(),
  })
  .strict();
export type ModelArchitectureFacts = z.infer<typeof ModelArchitectureFacts>;

export const ModelCatalog = z
  .object({
    $comment: z.string().optional(),
    models: z.array(CatalogEntry).min(1),
    architecture: ModelArchitectureFacts,
  })
  .strict()
  .superRefine((catalog, issues) => {
    const seen = new Set<string>();
    for (const entry of catalog.models) {
      if (seen.has(entry.id)) issues.addIssue({ code: "custom", message: `duplicate catalog id ${entry.id}` });
      seen.add(entry.id);
      if (!entry.url.endsWith(`/${entry.fileName}`)) {
        issues.addIssue({ code: "custom", message: `${entry.id}: url does not end with its fileName` });
      }
    }
  });
export type ModelCatalog = z.infer<typeof ModelCatalog>;

/** Validates catalog data; throws with every problem listed. */
export function parseCatalog(data: unknown): ModelCatalog {
  const result = ModelCatalog.safeParse(data);
  if (!result.success) {
    throw new Error(`Invalid model catalog: ${result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return result.data;
}

let bundled: ModelCatalog | undefined;

/** The catalog shipped with the extension. */
export function loadCatalog(): ModelCatalog {
  bundled ??= parseCatalog(catalogData);
  return bundled;
}

export function findCatalogEntry(catalog: ModelCatalog, id: string): CatalogEntry | undefined {
  return catalog.models.find((entry) => entry.id === id);
}
