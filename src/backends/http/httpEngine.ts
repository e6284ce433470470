// The Engine served by a remote OpenAI/DeepSeek-compatible server: llama-server, vLLM, SGLang, the
// DeepSeek API, Ollama, LM Studio or any other OpenAI-compatible server. Chat goes through /v1/chat/completions everywhere; FIM, JSON schemas,
// tokenization and raw prompt generation go where each flavor offers them, and a flavor that
// cannot do something says so with a typed error instead of quietly doing something else.
import type { RetryPolicy } from "../../core/remote/httpFailure.js";
import { compileJsonSchema } from "../../core/json/validateJson.js";
import { checkJsonAnswer } from "../../core/remote/jsonAnswer.js";
import type { ServerFacts } from "../../core/remote/capabilityReport.js";
import { chatBody, completionsFimBody, llamaInfillBody, ollamaGenerateBody } from "../../core/remote/requestBodies.js";
import {
  flavorCapabilities,
  flavorNames,
  normalizeBaseUrl,
  openAiUrl,
  type FimMode,
  type ServerFlavor,
} from "../../core/remote/serverFlavor.js";
import { EngineError, type GenerateResult, type ModelInfo, type RequestMetrics } from "../../protocol/engine.js";
import type { ChatMessage, ChatRequest, ChatResult, Engine, GenerationOptions, GenerationRequest, InfillRequest, InfillWarmUp, PrefillRequest } from "../../core/engine/engine.js";
import { readAnswerStream } from "./answerStream.js";
import { chatWithToolStep } from "./emulatedTools.js";
import { HttpTransport, type TransportOptions } from "./httpTransport.js";
import type { LlamaServerApi } from "./llamaServerApi.js";
import { probeServer, type ServerDescription } from "./serverProbe.js";
import { RemoteEngineError, cancelledError } from "./remoteError.js";

export interface HttpEngineOptions {
  baseUrl: string;
  /** Model name sent with each request; default: the first model the server lists. */
  model?: string;
  /** "auto" probes the server once (GET /props, GET /v1/models). */
  flavor?: ServerFlavor | "auto";
  /** Overrides the flavor's FIM route. */
  fim?: FimMode | "auto";
  /**
   * Tool calls: the server's own (`native`), or the JSON tool step the local engine uses
   * (`emulated`). `auto`: emulated where llama-server says its chat template cannot call tools.
   */
  tools?: "auto" | "native" | "emulated";
  apiKey?: () => Promise<string | undefined> | string | undefined;
  /** Non-secret headers from settings. */
  headers?: Record<string, string>;
  /** Credential headers from secret storage, read per request. */
  secretHeaders?: TransportOptions["secretHeaders"];
  /** The user's yes to plain http to a host other than this machine; without it such a request is refused. */
  allowPlainHttp?: TransportOptions["allowPlainHttp"];
  /** Merged into every generation request body. */
  extraBody?: Record<string, unknown>;
  requestTimeoutMs?: number;
  idleTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  log?: (line: string) => void;
}

/** llama.vscode's `n_predict: 0`: the server evaluates (and caches) the prompt and answers nothing. */
export async function warmUpWithEmptyInfill(engine: Pick<Engine, "infill">, request: InfillWarmUp, signal?: AbortSignal): Promise<void> {
  await engine.infill({ ...request, maxTokens: 0 }, { signal });
}

export class HttpEngine implements Engine {
  readonly kind = "http";
  readonly baseUrl: string;
  private readonly transport: HttpTransport;
  private server: Promise<ServerDescription> | undefined;
  private disposed = false;

  constructor(private readonly options: HttpEngineOptions) {
    this.baseUrl = normalizeBaseUrl(options.baseUrl);
    this.transport = new HttpTransport({
      headers: options.headers,
      apiKey: options.apiKey,
      secretHeaders: options.secretHeaders,
      allowPlainHttp: options.allowPlainHttp,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
      retry: { maxRetries: 2, baseDelayMs: 250, maxDelayMs: 20_000, ...options.retry },
      log: options.log,
    });
  }

  async modelInfo(signal?: AbortSignal): Promise<ModelInfo> {
    return (await this.describe(signal)).info;
  }

  /** Which server this is, once probed (or as configured). */
  async flavor(signal?: AbortSignal): Promise<ServerFlavor> {
    return (await this.describe(signal)).flavor;
  }

  /** What the server offers, for Test Remote Connection's per-feature report. */
  async serverFacts(signal?: AbortSignal): Promise<ServerFacts> {
    const server = await this.describe(signal);
    const caps = flavorCapabilities[server.flavor];
    return {
      flavor: server.flavor,
      model: server.model,
      contextSize: server.info.contextSize,
      contextSource: server.contextSource,
      fim: this.fimMode(server),
      ollamaRawFim: server.ollamaRawFim,
      nativeTools: server.nativeTools,
      serverTokenizer: !!server.llama || caps.openAiTokenize,
    };
  }

  private fimMode(server: ServerDescription): FimMode {
    return this.options.fim && this.options.fim !== "auto" ? this.options.fim : flavorCapabilities[server.flavor].fim;
  }

  async tokenize(text: string, options: { parseSpecial?: boolean; signal?: AbortSignal } = {}): Promise<number[]> {
    const server = await this.describe(options.signal);
    if (server.llama) return server.llama.tokenize(text, options.parseSpecial ?? false, options.signal);
    if (flavorCapabilities[server.flavor].openAiTokenize) {
      const raw = (await this.transport.postJson(
        `${this.baseUrl}/tokenize`,
        { ...(server.model ? { model: server.model } : {}), prompt: text, add_special_tokens: false },
        options.signal,
      )) as { tokens?: unknown };
      if (Array.isArray(raw.tokens) && raw.tokens.every((t) => Number.isInteger(t))) return raw.tokens as number[];
      throw new RemoteEngineError("remoteBadResponse", `${this.baseUrl}/tokenize answered in an unexpected shape.`);
    }
    throw this.unsupported(server.flavor, "tokenization");
  }

  async infill(request: InfillRequest, options: GenerationOptions = {}): Promise<GenerateResult> {
    const server = await this.describe(options.signal);
    const mode = this.fimMode(server);
    const context = { flavor: server.flavor, model: server.model, extraBody: this.options.extraBody };
    // The line limit is applied to the stream here: no server takes a line count, and ending the
    // stream at the limit stops generation on every kind of server (as for stop strings).
    const common = { stopStrings: request.stopStrings, timeoutMs: request.timeoutMs, maxLines: request.maxLines };
    let streamed;
    if (mode === "infill") {
      const body = llamaInfillBody(request, this.options.extraBody);
      streamed = await readAnswerStream(this.transport, { ...common, url: `${this.baseUrl}/infill`, format: "llama", body }, options);
    } else if (mode === "ollamaGenerate") {
      streamed = await this.ollamaInfill(server, request, common, options);
    } else {
      const url = openAiUrl(this.baseUrl, server.flavor, "completions", true);
      streamed = await readAnswerStream(this.transport, { ...common, url, format: "openai", body: completionsFimBody(request, mode, context) }, options);
    }
    return { text: streamed.text, stopReason: streamed.stopReason, metrics: streamed.metrics };
  }

  /**
   * Ollama's /api/generate with `suffix`; a model whose template cannot insert (no "insert"
   * capability, or a 400 saying so) gets the FIM tokens written out in a raw prompt from then on.
   */
  private async ollamaInfill(
    server: ServerDescription,
    request: InfillRequest,
    common: { stopStrings?: readonly string[]; timeoutMs?: number; maxLines?: number },
    options: GenerationOptions,
  ) {
    const context = { flavor: server.flavor, model: server.model, extraBody: this.options.extraBody };
    const send = () =>
      readAnswerStream(
        this.transport,
        { ...common, url: `${this.baseUrl}/api/generate`, format: "ollama", body: ollamaGenerateBody(request, context, server.ollamaRawFim) },
        options,
      );
    try {
      return await send();
    } catch (error) {
      const cannotInsert = error instanceof RemoteEngineError && error.status === 400 && /insert|suffix/i.test(error.message);
      if (!cannotInsert || server.ollamaRawFim) throw error;
      server.ollamaRawFim = true;
      this.options.log?.(`remote backend: ${server.model ?? "the model"}'s Ollama template cannot insert; FIM tokens go in a raw prompt`);
      return send();
    }
  }

  warmUp(request: InfillWarmUp, signal?: AbortSignal): Promise<void> {
    return warmUpWithEmptyInfill(this, request, signal);
  }

  async chat(request: ChatRequest, options: GenerationOptions = {}): Promise<ChatResult> {
    const server = await this.describe(options.signal);
    if (request.tools?.length && !server.nativeTools && !request.assistantPrefix && !request.jsonSchema) {
      return chatWithToolStep((r, o) => this.chatOnce(server, r, o), request, options);
    }
    return this.chatOnce(server, request, options);
  }

  private async chatOnce(server: ServerDescription, request: ChatRequest, options: GenerationOptions, repairsLeft = 1): Promise<ChatResult> {
    if (request.jsonSchema) {
      try {
        compileJsonSchema(request.jsonSchema);
      } catch (error) {
        throw new EngineError("invalidRequest", (error as Error).message);
      }
    }
    const { body, beta } = chatBody(request, { flavor: server.flavor, model: server.model, extraBody: this.options.extraBody });
    if (server.llama) body.cache_prompt = true;
    const streamed = await readAnswerStream(
      this.transport,
      {
        url: openAiUrl(this.baseUrl, server.flavor, "chat/completions", beta),
        body,
        format: "openai",
        timeoutMs: request.timeoutMs,
        json: !!request.jsonSchema,
        echoedPrefix: request.assistantPrefix,
      },
      options,
    );
    const result: ChatResult = { text: streamed.text, stopReason: streamed.stopReason, metrics: streamed.metrics };
    if (streamed.answer.toolCalls.length) result.toolCalls = streamed.answer.toolCalls;
    if (streamed.reasoning) result.reasoning = streamed.reasoning;
    if (!request.jsonSchema || streamed.stopReason === "timeout" || result.toolCalls) return result;
    const check = checkJsonAnswer(streamed.text, request.jsonSchema);
    if (check.ok) return { ...result, text: check.text };
    const cut = streamed.stopReason === "maxTokens" ? ` It was cut off at ${request.maxTokens} tokens.` : "";
    if (repairsLeft > 0 && !options.signal?.aborted) {
      // One repair round: the model sees its answer and what is wrong with it (a server in
      // json_object mode enforces JSON, not the schema). Its text is not streamed again.
      const repair = jsonRepairRequest(request, streamed.text, `${check.reason}.${cut}`);
      const repaired = await this.chatOnce(server, repair, { signal: options.signal }, repairsLeft - 1);
      return { ...repaired, metrics: addedMetrics(result.metrics, repaired.metrics) };
    }
    throw new EngineError("invalidJsonAnswer", `The server's answer is not valid for the requested JSON schema: ${check.reason}.${cut}`);
  }

  async generate(request: GenerationRequest, options: GenerationOptions = {}): Promise<GenerateResult> {
    const llama = await this.llamaOnly("prompt-segment generation", options.signal);
    const tokens = await llama.promptTokens(request.prompt, options.signal);
    const streamed = await readAnswerStream(
      this.transport,
      {
        url: `${this.baseUrl}/completion`,
        body: { ...llama.completionBody(request, tokens, this.options.extraBody ?? {}), stream: true },
        format: "llama",
        stopStrings: request.stopStrings,
        timeoutMs: request.timeoutMs,
        json: !!request.jsonSchema,
      },
      options,
    );
    return { text: streamed.text, stopReason: streamed.stopReason, metrics: streamed.metrics };
  }

  async prefill(request: PrefillRequest, signal?: AbortSignal): Promise<RequestMetrics> {
    const llama = await this.llamaOnly("prefill", signal);
    const started = performance.now();
    const tokens = await llama.promptTokens(request.prompt, signal);
    // n_predict 0 with cache_prompt: the server evaluates the prompt into the slot and stops
    // (llama.vscode warms its cache the same way).
    const raw = (await this.transport.postJson(
      `${this.baseUrl}/completion`,
      { ...llama.completionBody({ ...request, maxTokens: 0 }, tokens, {}), stream: false },
      signal,
    )) as { timings?: { cache_n?: number; prompt_n?: number; prompt_ms?: number } };
    const reused = raw.timings?.cache_n ?? 0;
    const evaluated = raw.timings?.prompt_n ?? tokens.length - reused;
    const totalMs = performance.now() - started;
    return {
      promptTokens: tokens.length,
      reusedTokens: reused,
      evaluatedTokens: evaluated,
      restoredTokens: 0,
      forcedTokens: 0,
      generatedTokens: 0,
      promptMs: raw.timings?.prompt_ms ?? totalMs,
      firstTokenMs: null,
      generationMs: 0,
      totalMs,
    };
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  private describe(signal?: AbortSignal): Promise<ServerDescription> {
    if (this.disposed) return Promise.reject(new EngineError("engineUnavailable", "The remote backend was closed."));
    // One probe serves every caller; a caller that gives up stops waiting, not the probe.
    this.server ??= probeServer(this.transport, this.baseUrl, this.options).catch((error: unknown) => {
      this.server = undefined; // a server that was down may be up on the next request
      throw error;
    });
    return untilAborted(this.server, signal);
  }

  private async llamaOnly(what: string, signal?: AbortSignal): Promise<LlamaServerApi> {
    const server = await this.describe(signal);
    if (!server.llama) throw this.unsupported(server.flavor, what);
    return server.llama;
  }

  private unsupported(flavor: ServerFlavor, what: string): RemoteEngineError {
    return new RemoteEngineError(
      "remoteUnsupported",
      `${flavorNames[flavor]} does not offer ${what} (it needs llama-server's native API). Use the local backend for this feature, or serve the model with llama-server.`,
    );
  }
}

/** The conversation again, with the invalid answer and the validator's complaint after it. */
function jsonRepairRequest(request: ChatRequest, answer: string, problem: string): ChatRequest {
  const messages: ChatMessage[] = [
    ...request.messages,
    { role: "assistant", content: `${request.assistantPrefix ?? ""}${answer}` },
    { role: "user", content: `That answer is not valid for the JSON schema: ${problem} Answer again with the corrected JSON object only.` },
  ];
  return { ...request, messages, assistantPrefix: undefined };
}

/** Two requests' metrics as one (a repair round's cost counts toward the answer). */
function addedMetrics(a: RequestMetrics, b: RequestMetrics): RequestMetrics {
  return {
    promptTokens: a.promptTokens + b.promptTokens,
    reusedTokens: a.reusedTokens + b.reusedTokens,
    evaluatedTokens: a.evaluatedTokens + b.evaluatedTokens,
    restoredTokens: a.restoredTokens + b.restoredTokens,
    forcedTokens: a.forcedTokens + b.forcedTokens,
    generatedTokens: a.generatedTokens + b.generatedTokens,
    promptMs: a.promptMs + b.promptMs,
    firstTokenMs: a.firstTokenMs,
    generationMs: a.generationMs + b.generationMs,
    totalMs: a.totalMs + b.totalMs,
    ...(a.serverCache || b.serverCache
      ? { serverCache: { hitTokens: (a.serverCache?.hitTokens ?? 0) + (b.serverCache?.hitTokens ?? 0), missTokens: (a.serverCache?.missTokens ?? 0) + (b.serverCache?.missTokens ?? 0) } }
      : {}),
  };
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(cancelledError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(cancelledError());
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
