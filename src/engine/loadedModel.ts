// The loaded model and what it owns: model → contexts → a sequence per feature and client window
// (`clientSlots`; one for a forked engine). The first context is made at load and holds what a
// forked engine needs; another window's ghost-text sequence (a context of its own) only when that
// window first asks, so one window on a shared engine holds no more memory than a forked engine
// would, and each further one little more (windowSequences.ts).
import { getLlama, type Llama, type LlamaContext, type LlamaContextOptions, type LlamaContextSequence, type LlamaModel } from "node-llama-cpp";
import { mlaLatentBytesPerToken } from "../core/cache/prefixCacheEntry.js";
import { EngineError, sequenceNames, type CacheStats, type ModelInfo, type ResolvedLoadParams, type SequenceName } from "../protocol/engine.js";
import { EnginePrefixCache } from "./enginePrefixCache.js";
import { ForegroundGate } from "./foregroundGate.js";
import { modelRoles } from "../core/models/catalog.js";
import { flattenGgufMetadata } from "../core/models/ggufMetadata.js";
import { shouldRetryOnCpu, gpuFallbackMessage } from "../core/models/gpuFallback.js";
import { checkModelHeader, headerFactsFromMetadata } from "../core/models/roleCheck.js";
import { checkModelFile } from "./modelFile.js";
import { attentionHeadSizes, defaultBatchSize, defaultFlashAttention, defaultMmap, defaultThreads, mlaLatentDims } from "./contextDefaults.js";
import { modelFileSha256 } from "./modelIdentity.js";
import { PrefixDiskCache } from "../core/cache/prefixDiskCache.js";
import { DirectDecode } from "./tokenStepper.js";
import { cpuBackendInfo } from "./cpuBackend.js";
import { engineGpuOption, gpuDisabledByEnvironment, sayGpuUnavailableOnce } from "./hardware.js";
import { SequenceRunner } from "./sequenceRunner.js";
import { WindowSequences, type ContextMaker } from "./windowSequences.js";

export type SequenceSet = Record<SequenceName, SequenceRunner>;

let llamaPromise: Promise<Llama> | undefined;

/** One llama.cpp binding per process; GPU backends are detected once (engineGpuOption says which are tried). */
export function getEngineLlama(): Promise<Llama> {
  llamaPromise ??= engineGpuOption().then((gpu) => getLlama({ gpu, build: "never", logLevel: "error" as never, progressLogs: false }));
  return llamaPromise;
}

type RunnerFactory = (sequence: LlamaContextSequence, foreground: { gate: ForegroundGate; foreground: boolean }) => SequenceRunner;

export class LoadedModel {
  private constructor(
    readonly info: ModelInfo,
    private readonly model: LlamaModel,
    private readonly windows: WindowSequences,
    /** How many windows get sequences of their own (1 for a forked engine). */
    readonly slotCount: number,
    private readonly prefixCache: EnginePrefixCache | undefined,
    private readonly latentBytesPerToken: number | null,
  ) {}

  /** Runs `task` on the runner of client slot `index` for `name` (windowSequences.ts says which). */
  run<T>(index: number, name: SequenceName, task: (runner: SequenceRunner) => Promise<T>): Promise<T> {
    return this.windows.run(index, name, task);
  }

  /** The runners client slot `index` has now (none are made by asking). */
  runnersOf(index: number): Promise<Partial<SequenceSet>> {
    return this.windows.runnersOf(index);
  }

  /** Frees what slot `index` holds of its own (no window uses it). */
  freeSlot(index: number): Promise<void> {
    return this.windows.free(index);
  }

  /** Contexts made so far: the first, and each window's own. */
  async contextCount(): Promise<number> {
    return (await this.windows.contexts()).length;
  }

  static async load(params: ResolvedLoadParams, onWarning: (message: string) => void = () => undefined): Promise<LoadedModel> {
    const started = performance.now();
    const file = await checkModelFile(params.modelPath);
    checkModelRoles(file.path, file.info.metadata, params.contextSize, onWarning);
    const llama = await getEngineLlama();
    const gpuUnavailable = await sayGpuUnavailableOnce(llama, params.gpuLayers === 0 || gpuDisabledByEnvironment(), onWarning);
    // A failed GPU load (out of VRAM, driver trouble) is retried on the CPU and said once, never silently.
    let gpuFallback: string | undefined;
    let loadedOnDevice: Awaited<ReturnType<typeof loadOnDevice>>;
    try {
      loadedOnDevice = await loadOnDevice(llama, file.path, params, params.gpuLayers);
    } catch (error) {
      const attempt = { gpu: llama.gpu, requestedGpuLayers: params.gpuLayers, errorMessage: error instanceof Error ? error.message : String(error) };
      if (!shouldRetryOnCpu(attempt)) throw error;
      loadedOnDevice = await loadOnDevice(llama, file.path, params, 0);
      gpuFallback = gpuFallbackMessage(attempt);
      onWarning(gpuFallback);
    }
    const { model, context, contextOptions } = loadedOnDevice;
    // Always a boolean here: the engine never passes node-llama-cpp's "auto".
    const flashAttention = context.flashAttention === true;
    const gate = new ForegroundGate();
    const firstSequences = sequenceNames.map(() => context.getSequence());
    await warmUp(firstSequences[0]!, model);
    const direct = await DirectDecode.probe(llama, model, firstSequences[0]!);
    const buildId = engineBuildId(llama);
    const kvLayout = { contextSize: context.contextSize, flashAttention, kvType: "f16" };
    const prefixCache = params.diskCache && openPrefixCache(params.diskCache, file.path, buildId, kvLayout, onWarning);
    const runner: RunnerFactory = (sequence, foreground) => new SequenceRunner(model, sequence, llama, prefixCache, foreground, direct);
    // Ghost text is the foreground: chat and refactors yield to it in every window (one gate).
    const runners = (made: LlamaContext, sequences: LlamaContextSequence[], foregroundFirst: boolean) => ({
      context: made,
      runners: sequences.map((sequence, index) => runner(sequence, { gate, foreground: foregroundFirst && index === 0 })),
    });
    const makeContext: ContextMaker = async (foreground) => {
      const create = () => model.createContext({ ...contextOptions, sequences: 1 });
      const made = await (direct ? direct.withConfiguredThreads(create) : create());
      const sequence = made.getSequence();
      await warmUp(sequence, model);
      return runners(made, [sequence], foreground);
    };
    const windows = new WindowSequences(runners(context, firstSequences, true), makeContext, onWarning);
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
      flashAttention,
      generationLoop: direct ? (direct.pipelined ? "pipelined" : "direct") : "evaluate",
      cpuBackend: cpuBackendInfo(llama),
      ...(gpuFallback ? { gpuFallback } : {}),
      ...(gpuUnavailable ? { gpuUnavailable } : {}),
      gpuDevices: llama.gpu ? await llama.getGpuDeviceNames() : [],
      totalLayers: archMetadata.block_count ?? null,
      loadMs: Math.round(performance.now() - started),
      engineBuild: buildId,
    };
    const mla = mlaLatentDims(file.info.architectureMetadata);
    const latent = mla && archMetadata.block_count ? mlaLatentBytesPerToken(mla.kvLoraRank, mla.ropeDims, archMetadata.block_count) : null;
    return new LoadedModel(info, model, windows, params.clientSlots, prefixCache, latent);
  }

  async cacheStats(): Promise<CacheStats> {
    const disk = this.prefixCache ? await this.prefixCache.disk.stats() : null;
    const runners = await this.windows.allRunners();
    return {
      disk,
      bytesPerToken: disk && disk.tokensOnDisk > 0 ? Math.round(disk.bytesOnDisk / disk.tokensOnDisk) : null,
      mlaLatentBytesPerToken: this.latentBytesPerToken,
      reusedTokens: runners.reduce((sum, runner) => sum + runner.reusedTotal, 0),
      evaluatedTokens: runners.reduce((sum, runner) => sum + runner.evaluatedTotal, 0),
    };
  }

  /** Clear Cache: the KV of every sequence in memory, and the disk cache's entries. */
  async clearCache(): Promise<void> {
    await Promise.all((await this.windows.allRunners()).map((runner) => runner.clearKv()));
    await this.prefixCache?.disk.clear();
  }

  async dispose(): Promise<void> {
    for (const made of await this.windows.contexts()) await made.context.dispose();
    await this.model.dispose();
  }

  tokenize(text: string, parseSpecial: boolean): number[] {
    return this.model.tokenize(text, parseSpecial) as number[];
  }
}

/**
 * The disk cache bound to this model. Hashing a large file takes a while: the disk cache waits for
 * it, loading does not. The hash memo lives in the cache's own folder, so a folder that cannot be
 * used is reported once, by the cache.
 */
function openPrefixCache(
  settings: NonNullable<ResolvedLoadParams["diskCache"]>,
  modelPath: string,
  engineBuild: string,
  kvLayout: { contextSize: number; flashAttention: boolean; kvType: string },
  onWarning: (message: string) => void,
): EnginePrefixCache {
  const disk = new PrefixDiskCache(settings.directory, settings.maxBytes, onWarning);
  const identity = disk.open().then(async (usable) => {
    if (!usable) return null;
    try {
      return { modelSha256: await modelFileSha256(modelPath, disk.memoPath), engineBuild, kvLayout };
    } catch (error) {
      disk.disable(`cannot hash ${modelPath} (${(error as Error).message})`);
      return null;
    }
  });
  return new EnginePrefixCache(disk, settings.minTokens, identity);
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

/** Loads the model and its context with `gpuLayers` on the GPU; typed errors, nothing left allocated on failure. */
async function loadOnDevice(
  llama: Llama,
  path: string,
  params: ResolvedLoadParams,
  gpuLayers: ResolvedLoadParams["gpuLayers"],
): Promise<{ model: LlamaModel; context: LlamaContext; contextOptions: LlamaContextOptions }> {
  let model: LlamaModel;
  try {
    model = await llama.loadModel({
      modelPath: path,
      gpuLayers,
      useMmap: params.mmap ?? defaultMmap(llama.gpu === false || gpuLayers === 0),
    });
  } catch (error) {
    throw toLoadError(path, error);
  }
  try {
    const cpuOnly = llama.gpu === false || model.gpuLayers === 0;
    // Window 0's ghost text and the shared chat and refactor sequences; another window's own
    // contexts are made with these options (windowSequences.ts).
    const contextOptions: LlamaContextOptions = {
      sequences: sequenceNames.length,
      contextSize: params.contextSize,
      flashAttention: params.flashAttention ?? defaultFlashAttention(cpuOnly, attentionHeadSizes(model.fileInfo.architectureMetadata)),
      threads: params.threads > 0 ? params.threads : defaultThreads(llama.cpuMathCores),
      batchSize: params.batchSize ?? defaultBatchSize(cpuOnly),
    };
    const context = await model.createContext(contextOptions);
    return { model, context, contextOptions };
  } catch (error) {
    await model.dispose();
    throw toLoadError(path, error);
  }
}

/** Header checks before loading: an unusable file is an error, a role the file cannot serve a warning. */
function checkModelRoles(path: string, metadata: unknown, contextSize: number, onWarning: (message: string) => void): void {
  const facts = headerFactsFromMetadata(flattenGgufMetadata(metadata));
  const verdict = checkModelHeader(facts, { file: path, roles: modelRoles, contextSize });
  const unusable = verdict.problems.find((problem) => problem.severity === "unusable");
  if (unusable) throw new EngineError(unusable.code === "unsupportedArchitecture" ? "unsupportedArchitecture" : "unusableModel", unusable.message);
  for (const problem of verdict.problems) onWarning(problem.message);
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
