// The host ↔ engine-process protocol. Both sides import this file: the engine validates every
// request it receives, the host validates every response and notification it receives.
import { NotificationType, RequestType } from "vscode-jsonrpc";
import { z } from "zod";

/** The engine keeps one context with one sequence per feature, so features never evict each other. */
export const sequenceNames = ["completion", "chat", "refactor"] as const;
export const SequenceName = z.enum(sequenceNames);
export type SequenceName = z.infer<typeof SequenceName>;

/** Named special tokens, resolved from the loaded model's vocabulary — never typed as strings. */
export const SpecialTokenName = z.enum(["bos", "eos", "fimPrefix", "fimSuffix", "fimMiddle"]);
export type SpecialTokenName = z.infer<typeof SpecialTokenName>;

/**
 * A prompt is a list of segments. `text` is tokenized as plain text (user content can never smuggle
 * in control tokens) unless `parseSpecial` is set, which template scaffolding uses.
 */
export const PromptSegment = z.union([
  z.object({ text: z.string(), parseSpecial: z.boolean().optional() }).strict(),
  z.object({ token: SpecialTokenName }).strict(),
]);
export type PromptSegment = z.infer<typeof PromptSegment>;

export const LoadParams = z
  .object({
    modelPath: z.string().min(1),
    gpuLayers: z.union([z.literal("auto"), z.number().int().min(0)]).default("auto"),
    contextSize: z.number().int().min(256).max(1 << 20).default(8192),
    threads: z.number().int().min(0).max(1024).default(0),
    /**
     * Unset: on when the model runs on the CPU only and its attention heads are multiples of 64
     * wide (every DeepSeek model), where it is faster at every context length measured; off when a
     * GPU takes layers, since a backend without the kernel runs the op on the CPU
     * (`defaultFlashAttention` in the engine).
     */
    flashAttention: z.boolean().optional(),
    batchSize: z.number().int().min(16).max(8192).optional(),
    /**
     * Memory-map the model file. Unset: off for CPU-only loads, where llama.cpp repacks the
     * weights into a second, rearranged copy and the mapped file would stay resident beside it
     * (issue 11: 2× the file in RSS); node-llama-cpp's own choice when a GPU takes layers.
     */
    mmap: z.boolean().optional(),
    /**
     * Sets of sequences (completion, chat, refactor) in the context, one per client window: a
     * forked engine serves one window; a shared engine one per window up to this cap, beyond
     * which windows share the set with the fewest users. Each set costs a KV cache of its own.
     */
    clientSlots: z.number().int().min(1).max(16).default(1),
    /** Where evaluated prefixes are kept across restarts; omitted = no disk cache. */
    diskCache: z
      .object({
        directory: z.string().min(1),
        maxBytes: z.number().int().min(0),
        /** Shorter prefixes are cheaper to evaluate than to restore. */
        minTokens: z.number().int().min(1).default(256),
      })
      .strict()
      .optional(),
  })
  .strict();
export type LoadParams = z.input<typeof LoadParams>;
export type ResolvedLoadParams = z.output<typeof LoadParams>;

export const ModelInfo = z.object({
  path: z.string(),
  name: z.string().nullable(),
  architecture: z.string(),
  sizeBytes: z.number(),
  contextSize: z.number(),
  trainContextSize: z.number().nullable(),
  vocabularySize: z.number(),
  specialTokens: z.object({
    bos: z.number().nullable(),
    eos: z.number().nullable(),
    fimPrefix: z.number().nullable(),
    fimSuffix: z.number().nullable(),
    fimMiddle: z.number().nullable(),
  }),
  chatTemplate: z.string().nullable(),
  /** Set when the file is a random-weights test model written by this project. */
  synthetic: z.boolean(),
  gpu: z.union([z.literal(false), z.string()]),
  gpuLayers: z.number(),
  /** Whether the context uses flash attention (local engine). */
  flashAttention: z.boolean().optional(),
  /** The local engine's generation loop: node-llama-cpp's evaluate(), or its own direct loop (engine/tokenStepper.ts). */
  generationLoop: z.enum(["evaluate", "direct", "pipelined"]).optional(),
  /**
   * The local engine's llama.cpp binary: node-llama-cpp's prebuilt one, or a local build (the CPU
   * variants rebuilt by native/ggml-cpu/build.ts), and the CPU variant ggml picked (Linux).
   */
  cpuBackend: z.object({ build: z.enum(["prebuilt", "localBuild"]), variant: z.string().nullable(), library: z.string().nullable() }).optional(),
  /** Set when loading on the GPU failed and the model was loaded on the CPU instead: the user's message. */
  gpuFallback: z.string().optional(),
  /** The GPU devices the backend drives (node-llama-cpp's getGpuDeviceNames). */
  gpuDevices: z.array(z.string()).optional(),
  /** Set when the machine has a GPU the engine cannot use (no backend binary, missing libraries, load failure): the user's message. */
  gpuUnavailable: z.string().optional(),
  totalLayers: z.number().nullable(),
  loadMs: z.number(),
  engineBuild: z.string(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;

/**
 * What the engine's node-llama-cpp sees of this machine (the `engine/hardware` request): the
 * backend it would load, its devices and memory, and why a present GPU is unused.
 */
export const HardwareReport = z.object({
  gpu: z.union([z.literal(false), z.enum(["cuda", "vulkan", "metal"])]),
  gpuDevices: z.array(z.string()),
  vramBytes: z.number().nonnegative(),
  vramFreeBytes: z.number().nonnegative(),
  /** Apple silicon and other SoCs: the GPU's memory is the RAM. */
  unifiedMemory: z.boolean(),
  ramBytes: z.number().nonnegative(),
  gpuUnavailable: z.string().nullable(),
});
export type HardwareReport = z.infer<typeof HardwareReport>;

export const GenerateParams = z
  .object({
    requestId: z.string().min(1),
    sequence: SequenceName,
    prompt: z.array(PromptSegment).min(1),
    maxTokens: z.number().int().min(0).max(32768),
    temperature: z.number().min(0).max(5).default(0),
    topK: z.number().int().min(0).optional(),
    topP: z.number().min(0).max(1).optional(),
    seed: z.number().int().optional(),
    stopStrings: z.array(z.string().min(1)).max(16).default([]),
    /** Stop once the answer has this many lines (ghost text shows no more); the result says `lineLimit`. */
    maxLines: z.number().int().min(1).optional(),
    /** A JSON Schema: the answer is generated under the grammar built from it. */
    jsonSchema: z.record(z.string(), z.unknown()).optional(),
    /** Wall-clock cap on generation; the result says `timeout` when it was hit. */
    timeoutMs: z.number().int().min(1).optional(),
    /** Stream text chunks as `engine/text` notifications. */
    stream: z.boolean().default(false),
    /** The first N prompt segments are a long, stable prefix: restore it from / save it to the disk cache. */
    stablePrefixSegments: z.number().int().min(1).optional(),
  })
  .strict();
export type GenerateParams = z.input<typeof GenerateParams>;

/** `lineLimit`: the answer reached `maxLines` lines (the line break after the last one is not part of it). */
export const StopReason = z.enum(["eos", "maxTokens", "stopString", "lineLimit", "aborted", "timeout"]);
export type StopReason = z.infer<typeof StopReason>;

export const RequestMetrics = z.object({
  promptTokens: z.number(),
  /** Prompt tokens whose KV was already in the sequence and was not evaluated again. */
  reusedTokens: z.number(),
  /** Prompt tokens evaluated for this request. */
  evaluatedTokens: z.number(),
  /** Prompt tokens restored from the disk cache instead of evaluated (counted in reusedTokens too). */
  restoredTokens: z.number().default(0),
  generatedTokens: z.number(),
  /**
   * Generated tokens a JSON schema forced (keys, punctuation, closing quotes and brackets): written
   * by the engine and evaluated in one batch instead of sampled. Counted in generatedTokens too.
   */
  forcedTokens: z.number().default(0),
  /**
   * Making the sequence hold the prompt (KV reuse, disk restore, evaluation), after tokenization:
   * the span llama-server reports as `prompt_ms`.
   */
  promptMs: z.number(),
  /** From the request's arrival to the first generated token. */
  firstTokenMs: z.number().nullable(),
  generationMs: z.number(),
  totalMs: z.number(),
  /** The DeepSeek API's context cache for this prompt (prompt_cache_hit/miss_tokens): what it billed as cached. */
  serverCache: z.object({ hitTokens: z.number(), missTokens: z.number() }).optional(),
});
export type RequestMetrics = z.infer<typeof RequestMetrics>;

export const GenerateResult = z.object({
  text: z.string(),
  stopReason: StopReason,
  metrics: RequestMetrics,
});
export type GenerateResult = z.infer<typeof GenerateResult>;

export const TokenizeParams = z.object({ text: z.string(), parseSpecial: z.boolean().default(false) }).strict();
export const TokenizeResult = z.object({ tokens: z.array(z.number().int()) });

export const PrefillParams = z
  .object({
    requestId: z.string().min(1),
    sequence: SequenceName,
    prompt: z.array(PromptSegment).min(1),
    stablePrefixSegments: z.number().int().min(1).optional(),
  })
  .strict();
export type PrefillParams = z.input<typeof PrefillParams>;
export const PrefillResult = z.object({ metrics: RequestMetrics });

export const EngineStatus = z.object({
  loaded: z.boolean(),
  model: ModelInfo.nullable(),
  rssBytes: z.number(),
  /** Models this process has loaded (a shared engine loads once for all its windows). */
  modelLoads: z.number().optional(),
  /** Client windows attached (1 for a forked engine). */
  clients: z.number().optional(),
  /**
   * llama.cpp contexts made so far: the first (window 0's ghost text, the shared chat and refactor
   * sequences), one per other window that asked for ghost text, and one per window whose chat or
   * refactor found the shared one busy with another window's request (engine/windowSequences.ts).
   */
  contexts: z.number().optional(),
  /** The engine's garbage collections when idle (engine/idleCollector.ts): how many, and how long each stopped it. */
  idleCollections: z.object({ count: z.number(), lastMs: z.number(), maxMs: z.number() }).optional(),
  sequences: z.record(z.string(), z.object({ tokens: z.number(), evaluatedTotal: z.number(), generatedTotal: z.number() })),
});
export type EngineStatus = z.infer<typeof EngineStatus>;

export const CacheStats = z.object({
  disk: z
    .object({
      enabled: z.boolean(),
      disabledReason: z.string().nullable(),
      directory: z.string(),
      maxBytes: z.number(),
      entries: z.number(),
      bytesOnDisk: z.number(),
      tokensOnDisk: z.number(),
      hits: z.number(),
      misses: z.number(),
      writes: z.number(),
      corrupt: z.number(),
      evictions: z.number(),
    })
    .nullable(),
  /** Measured: bytes a cached token takes in a saved state. */
  bytesPerToken: z.number().nullable(),
  /** The compressed MLA latent per token: (kv_lora_rank + rope dims) × layers × 2 bytes. */
  mlaLatentBytesPerToken: z.number().nullable(),
  /** Prompt tokens reused from RAM and evaluated, over the engine's life. */
  reusedTokens: z.number(),
  evaluatedTokens: z.number(),
});
export type CacheStats = z.infer<typeof CacheStats>;

/**
 * The first message on a shared engine's socket. The engine refuses a client of another protocol
 * version or build (`versionMismatch`), so an updated extension never talks to an older engine.
 */
export const engineProtocolVersion = 1;
/** A build id from the sha256 (hex) of the engine file: each side hashes the file it knows. */
export function engineBuildFromHash(sha256Hex: string): string {
  return `p${engineProtocolVersion}-${sha256Hex.slice(0, 16)}`;
}
export const HelloParams = z.object({ protocolVersion: z.number().int(), build: z.string().min(1) }).strict();
export type HelloParams = z.infer<typeof HelloParams>;

/** Methods.leaving: false when the window is done with the model. */
export const LeavingParams = z.object({ keepRunning: z.boolean() }).strict();
export const HelloResult = z.object({
  protocolVersion: z.number().int(),
  build: z.string(),
  pid: z.number().int(),
  /** Clients attached, this one included. */
  clients: z.number().int(),
});
export type HelloResult = z.infer<typeof HelloResult>;

export const WarningNotification = z.object({ code: z.string(), message: z.string() });

export const TextNotification = z.object({ requestId: z.string(), text: z.string() });
export type TextNotification = z.infer<typeof TextNotification>;

/** Typed error codes. The numeric code travels in JSON-RPC errors, the name in `data.code`. */
export const engineErrorCodes = {
  modelNotFound: -32010,
  notGguf: -32011,
  truncatedModel: -32012,
  unsupportedArchitecture: -32013,
  modelTooLarge: -32014,
  modelLoadFailed: -32015,
  notLoaded: -32016,
  cancelled: -32017,
  tokenLimit: -32018,
  invalidRequest: -32019,
  contextOverflow: -32020,
  fimUnsupported: -32021,
  /** The GGUF header shows the file cannot serve completion or chat (tokenizer, vocabulary, context length). */
  unusableModel: -32022,
  engineCrashed: -32030,
  engineUnavailable: -32031,
  /** A shared engine of another protocol version or build refused the connection. */
  versionMismatch: -32032,
  // Remote backend (backends/http): what the server or the network did.
  remoteAuth: -32040,
  remoteNotFound: -32041,
  remoteRateLimited: -32042,
  remoteServerError: -32043,
  remoteTimeout: -32044,
  remoteStreamDropped: -32045,
  remoteBadResponse: -32046,
  remoteUnsupported: -32047,
  invalidJsonAnswer: -32048,
  /** A request we would not send: a redirect to another server, plain http to a host the user did not allow. */
  remoteRefused: -32049,
  internal: -32099,
} as const;
export type EngineErrorCode = keyof typeof engineErrorCodes;

export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = "EngineError";
  }
}

export function isEngineErrorCode(value: unknown): value is EngineErrorCode {
  return typeof value === "string" && value in engineErrorCodes;
}

/**
 * A request whose answer can also stream: when its params ask for it (`stream`), the engine sends
 * the text as it is written, as `engine/text` notifications carrying the request's `requestId`,
 * before the result. Only requests of this type stream, so the host knows which ones to route.
 */
export class StreamingRequestType<P extends { requestId: string }, R> extends RequestType<P, R, void> {
  readonly streams = true;
}

export const Methods = {
  /** A shared engine's handshake: must come first on its socket. */
  hello: new RequestType<HelloParams, HelloResult, void>("engine/hello"),
  load: new RequestType<LoadParams, ModelInfo, void>("engine/load"),
  unload: new RequestType<Record<string, never>, null, void>("engine/unload"),
  tokenize: new RequestType<z.input<typeof TokenizeParams>, z.infer<typeof TokenizeResult>, void>("engine/tokenize"),
  generate: new StreamingRequestType<GenerateParams, GenerateResult>("engine/generate"),
  prefill: new RequestType<PrefillParams, z.infer<typeof PrefillResult>, void>("engine/prefill"),
  status: new RequestType<Record<string, never>, EngineStatus, void>("engine/status"),
  /** What node-llama-cpp sees of this machine; needs no model. */
  hardware: new RequestType<Record<string, never>, HardwareReport, void>("engine/hardware"),
  cacheStats: new RequestType<Record<string, never>, CacheStats, void>("engine/cacheStats"),
  cacheClear: new RequestType<Record<string, never>, null, void>("engine/cacheClear"),
  /** A piece of a streaming request's answer (StreamingRequestType). */
  text: new NotificationType<TextNotification>("engine/text"),
  /**
   * A window leaves a shared engine: `keepRunning` false when it is done with this model (Stop
   * Engine, a settings change, no local feature left), so the engine exits at once if no other
   * window is attached; true (or no notice: a window closing) keeps it for its idle time. A request,
   * answered before the window closes its connection: a notification could still be queued when
   * the close is seen, and be dropped.
   */
  leaving: new RequestType<z.input<typeof LeavingParams>, null, void>("engine/leaving"),
  /** A shared engine is about to exit on purpose (Restart Engine in another window, SIGTERM): not a crash. */
  exiting: new NotificationType<{ reason: string }>("engine/exiting"),
  /** Something the user should hear about once (e.g. the disk cache turned off on a full disk). */
  warning: new NotificationType<z.infer<typeof WarningNotification>>("engine/warning"),
} as const;
