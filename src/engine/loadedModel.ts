// The loaded model and what it owns: model → context → one sequence per feature.
import { getLlama, type Llama, type LlamaContext, type LlamaContextSequence, type LlamaModel } from "node-llama-cpp";
import path from "node:path";
import { mlaLatentBytesPerToken } from "../core/cache/prefixCacheEntry.js";
import { EngineError, sequenceNames, type CacheStats, type ModelInfo, type ResolvedLoadParams, type SequenceName } from "../protocol/engine.js";
import { EnginePrefixCache } from "./enginePrefixCache.js";
import { checkModelFile } from "./modelFile.js";
import { modelFileSha256 } from "./modelIdentity.js";
import { PrefixDiskCache } from "./prefixDiskCache.js";
import { SequenceRunner } from "./sequenceRunner.js";

let llamaPromise: Promise<Llama> | undefined;

/** One llama.cpp binding per process; GPU backends are detected once. */
export function getEngineLlama(): Promise<Llama> {
  llamaPromise ??= getLlama({
    gpu: process.env.DEEPSEEK_LOCAL_GPU === "off" ? false : "auto",
    build: "never",
    logLevel: "error" as never,
    progressLogs: false,
  });
  return llamaPromise;
}

export class LoadedModel {
  private constructor(
    readonly info: ModelInfo,
    private readonly model: LlamaModel,
    private readonly context: LlamaContext,
    readonly sequences: Record<SequenceName, SequenceRunner>,
    private readonly prefixCache: EnginePrefixCache | undefined,
    private readonly latentBytesPerToken: number | null,
  ) {}

  static async load(params: ResolvedLoadParams, onWarning: (message: string) => void = () => undefined): Promise<LoadedModel> {
    const started = performance.now();
    const file = await checkModelFile(params.modelPath);
    const llama = await getEngineLlama();
    let model: LlamaModel;
    try {
      model = await llama.loadModel({
        modelPath: file.path,
        gpuLayers: params.gpuLayers,
        defaultContextFlashAttention: params.flashAttention,
      });
    } catch (error) {
      throw toLoadError(file.path, error);
    }
    let context: LlamaContext;
    try {
      context = await model.createContext({
        sequences: sequenceNames.length,
        contextSize: params.contextSize,
        flashAttention: params.flashAttention,
        ...(params.threads > 0 ? { threads: params.threads } : {}),
        ...(params.batchSize ? { batchSize: params.batchSize } : {}),
      });
    } catch (error) {
      await model.dispose();
      throw toLoadError(file.path, error);
    }
    const contextSequences = sequenceNames.map(() => context.getSequence());
    await warmUp(contextSequences[0]!, model);
    const buildId = engineBuildId(llama);
    const prefixCache = params.diskCache
      ? new EnginePrefixCache(
          new PrefixDiskCache(params.diskCache.directory, params.diskCache.maxBytes, onWarning),
          params.diskCache.minTokens,
          // Hashing a large file takes a while: the disk cache waits for it, loading does not.
          modelFileSha256(file.path, path.join(params.diskCache.directory, "model-ids.memo")).then(
            (modelSha256) => ({
              modelSha256,
              engineBuild: buildId,
              kvLayout: { contextSize: context.contextSize, flashAttention: params.flashAttention, kvType: "f16" },
            }),
            (error: unknown) => {
              onWarning(`DeepSeek Local: the disk cache is off: cannot hash ${file.path} (${(error as Error).message}).`);
              return null;
            },
          ),
        )
      : undefined;
    const sequences = Object.fromEntries(
      sequenceNames.map((name, index) => [name, new SequenceRunner(model, contextSequences[index]!, llama, prefixCache)]),
    ) as Record<SequenceName, SequenceRunner>;

    const metadata = file.info.metadata;
    const tokenizer = metadata.tokenizer as { chat_template?: string } | undefined;
    const general = metadata.general as { name?: string } | undefined;
    const architecture = String(metadata.general.architecture);
    const archMetadata = file.info.architectureMetadata as { context_length?: number; block_count?: number };
    const info: ModelInfo = {
      path: file.path,
      name: general?.name ?? null,
      architecture,
      sizeBytes: file.sizeBytes,
      contextSize: context.contextSize,
      trainContextSize: model.trainContextSize || null,
      vocabularySize: (file.info.metadata.tokenizer as unknown as { ggml?: { tokens?: unknown[] } } | undefined)?.ggml?.tokens?.length ?? 0,
      specialTokens: {
        bos: model.tokens.bos,
        eos: model.tokens.eos,
        fimPrefix: model.tokens.infill.prefix,
        fimSuffix: model.tokens.infill.suffix,
        fimMiddle: model.tokens.infill.middle,
      },
      chatTemplate: tokenizer?.chat_template ?? null,
      synthetic: isSyntheticModel(metadata as unknown as Record<string, unknown>),
      gpu: llama.gpu,
      gpuLayers: model.gpuLayers,
      totalLayers: archMetadata.block_count ?? null,
      loadMs: Math.round(performance.now() - started),
      engineBuild: buildId,
    };
    const arch = file.info.architectureMetadata as { attention?: { kv_lora_rank?: number }; rope?: { dimension_count?: number } };
    const latent =
      arch.attention?.kv_lora_rank && arch.rope?.dimension_count && archMetadata.block_count
        ? mlaLatentBytesPerToken(arch.attention.kv_lora_rank, arch.rope.dimension_count, archMetadata.block_count)
        : null;
    return new LoadedModel(info, model, context, sequences, prefixCache, latent);
  }

  async cacheStats(): Promise<CacheStats> {
    const disk = this.prefixCache ? await this.prefixCache.disk.stats() : null;
    const runners = Object.values(this.sequences);
    return {
      disk,
      bytesPerToken: disk && disk.tokensOnDisk > 0 ? Math.round(disk.bytesOnDisk / disk.tokensOnDisk) : null,
      mlaLatentBytesPerToken: this.latentBytesPerToken,
      reusedTokens: runners.reduce((sum, runner) => sum + runner.reusedTotal, 0),
      evaluatedTokens: runners.reduce((sum, runner) => sum + runner.evaluatedTotal, 0),
    };
  }

  async clearCache(): Promise<void> {
    await this.prefixCache?.disk.clear();
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }

  tokenize(text: string, parseSpecial: boolean): number[] {
    return this.model.tokenize(text, parseSpecial) as number[];
  }
}

/**
 * One throwaway decode right after loading, as llama-server does: the first decode of a process
 * pays one-time setup costs that would otherwise land on the user's first completion.
 */
async function warmUp(sequence: LlamaContextSequence, model: LlamaModel): Promise<void> {
  const first = model.tokens.bos ?? model.tokens.eos;
  if (first == null) return;
  for await (const token of sequence.evaluate([first], { temperature: 0 })) {
    void token;
    break;
  }
  await sequence.clearHistory();
}

/** The project's synthetic test models say so in `general.name`; the status bar labels them. */
function isSyntheticModel(metadata: Record<string, unknown>): boolean {
  const general = metadata.general as { name?: unknown } | undefined;
  return typeof general?.name === "string" && /synthetic/i.test(general.name);
}

/** Identifies the llama.cpp build: a KV state saved by one build must not be loaded by another. */
function engineBuildId(llama: Llama): string {
  return `node-llama-cpp@${llama.llamaCppRelease.repo}#${llama.llamaCppRelease.release}/${llama.buildType}/${llama.gpu || "cpu"}`;
}

function toLoadError(path: string, error: unknown): EngineError {
  const message = error instanceof Error ? error.message : String(error);
  if (/memory|VRAM|RAM|too large|allocate/i.test(message)) {
    return new EngineError(
      "modelTooLarge",
      `${path} does not fit in this machine's memory (${message}). Lower the context size or GPU layers, or choose a smaller quantization.`,
    );
  }
  return new EngineError("modelLoadFailed", `llama.cpp could not load ${path}: ${message}`);
}
