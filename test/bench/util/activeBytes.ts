// Bytes a MoE model reads per generated token, from its GGUF tensor table: the decode ceiling is
// memory bandwidth ÷ these bytes (issue 11).
//
// Every weight is read once per token, except the routed experts (`*_exps`: only `expert_used_count`
// of `expert_count` run) and the token embedding (one row is looked up). The KV cache read grows
// with the context: the MLA latent, layers × (kv_lora_rank + rope dims) × 2 bytes per cached token.
import { stat } from "node:fs/promises";
import { mlaLatentBytesPerToken } from "../../../src/core/cache/prefixCacheEntry";

export interface ActiveBytes {
  fileBytes: number;
  /** Weight bytes read per token (without the KV cache). */
  weightBytes: number;
  /** Of which the output layer (`output.weight`). */
  outputBytes: number;
  /** Of which the routed experts that run. */
  routedExpertBytes: number;
  /** KV-cache bytes read per token for each token already in the context. */
  kvBytesPerContextToken: number;
  expertCount: number;
  expertsUsed: number;
  vocabularySize: number;
}

interface ArchMetadata {
  expert_count?: number;
  expert_used_count?: number;
  block_count?: number;
  attention?: { kv_lora_rank?: number };
  rope?: { dimension_count?: number };
}

export async function activeBytesPerToken(modelPath: string): Promise<ActiveBytes> {
  const fileBytes = (await stat(modelPath)).size;
  // node-llama-cpp is ESM with top-level await: a CommonJS caller must import() it.
  const { readGgufFileInfo } = await import("node-llama-cpp");
  const info = await readGgufFileInfo(modelPath, { readTensorInfo: true, logWarnings: false });
  const tensors = [...(info.fullTensorInfo ?? info.tensorInfo ?? [])].sort((a, b) => Number(a.fileOffset) - Number(b.fileOffset));
  if (tensors.length === 0) throw new Error(`${modelPath}: no tensor table`);
  const arch = info.architectureMetadata as ArchMetadata;
  const expertCount = arch.expert_count ?? 0;
  const expertsUsed = arch.expert_used_count ?? 0;
  const tokens = (info.metadata as { tokenizer?: { ggml?: { tokens?: readonly unknown[] } } }).tokenizer?.ggml?.tokens;
  const vocabularySize = tokens?.length ?? 0;

  let weightBytes = 0;
  let outputBytes = 0;
  let routedExpertBytes = 0;
  tensors.forEach((tensor, i) => {
    // Sizes from offsets: no table of quantization block sizes to keep in step with ggml.
    const end = i + 1 < tensors.length ? Number(tensors[i + 1]!.fileOffset) : fileBytes;
    const bytes = end - Number(tensor.fileOffset);
    if (tensor.name === "token_embd.weight") {
      weightBytes += vocabularySize ? bytes / vocabularySize : 0;
    } else if (/_exps\.weight$/.test(tensor.name) && expertCount > 0) {
      const used = (bytes * expertsUsed) / expertCount;
      routedExpertBytes += used;
      weightBytes += used;
    } else {
      if (tensor.name === "output.weight") outputBytes = bytes;
      weightBytes += bytes;
    }
  });
  const kvBytesPerContextToken =
    arch.attention?.kv_lora_rank && arch.rope?.dimension_count && arch.block_count
      ? mlaLatentBytesPerToken(arch.attention.kv_lora_rank, arch.rope.dimension_count, arch.block_count)
      : 0;
  return { fileBytes, weightBytes, outputBytes, routedExpertBytes, kvBytesPerContextToken, expertCount, expertsUsed, vocabularySize };
}
