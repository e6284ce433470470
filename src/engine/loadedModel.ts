// The loaded model and what it owns: model → context → one sequence per feature.
import { getLlama, type Llama, type LlamaContext, type LlamaModel } from "node-llama-cpp";
import { EngineError, sequenceNames, type LoadParams, type ModelInfo, type SequenceName } from "../protocol/engine.js";
import { checkModelFile } from "./modelFile.js";
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
  ) {}

  static async load(params: Required<Omit<LoadParams, "batchSize">> & { batchSize?: number }): Promise<LoadedModel> {
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
    const sequences = Object.fromEntries(
      sequenceNames.map((name) => [name, new SequenceRunner(model, context.getSequence(), llama)]),
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
      engineBuild: engineBuildId(llama),
    };
    return new LoadedModel(info, model, context, sequences);
  }

  async dispose(): Promise<void> {
    await this.context.dispose();
    await this.model.dispose();
  }

  tokenize(text: string, parseSpecial: boolean): number[] {
    return this.model.tokenize(text, parseSpecial) as number[];
  }
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
