// Runs requests on one context sequence: reuses the KV of the longest common token prefix,
// evaluates the rest in bounded batches (so an abort lands within one batch — llama.cpp does not
// interrupt a prefill by itself), then generates token by token. A request is three stages:
// prompt evaluation (here), generation with schema-forced text (generationLoop.ts) and stop
// detection (stopDetector.ts); its metrics come from the sequence's token meter (requestMeter.ts).
import {
  LlamaGrammarEvaluationState,
  type Llama,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import { planKvReuse } from "../core/cache/kvReuse.js";
import { prefillBatchEnd } from "../core/generation/prefillBatches.js";
import type { z } from "zod";
import { EngineError, type GenerateParams, type GenerateResult, type PromptSegment, type RequestMetrics, type SpecialTokenName } from "../protocol/engine.js";
import type { PrefixPersistence } from "./enginePrefixCache.js";
import type { ForegroundGate } from "./foregroundGate.js";
import { GenerationLoop } from "./generationLoop.js";
import { RequestMeter, TokenMeter } from "./requestMeter.js";
import { SchemaJumpAhead } from "./schemaJumpAhead.js";
import { StopDetector } from "./stopDetector.js";
import { createTokenStepper, type DirectDecode } from "./tokenStepper.js";

/** Shortest run of old tokens worth keeping (by shifting) after a dropped chunk. */
export const reuseMinChunkTokens = 32;

/** A generate request as the engine received it, less its routing fields; `onText` receives the answer as it is written. */
export type RunOptions = Omit<z.output<typeof GenerateParams>, "requestId" | "sequence" | "stream"> & {
  signal: AbortSignal;
  onText?: (text: string) => void;
};

export class SequenceRunner {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  /** Every token this sequence reused, evaluated and generated; a request's metrics are its difference. */
  readonly meter = new TokenMeter();

  constructor(
    private readonly model: LlamaModel,
    private readonly sequence: LlamaContextSequence,
    private readonly llama: Llama,
    private readonly persistence?: PrefixPersistence,
    /** Set on the foreground sequence (completion) and on the ones that yield to it. */
    private readonly gate?: { gate: ForegroundGate; foreground: boolean },
    /** node-llama-cpp's internals for the direct generation loop, where this version has them. */
    private readonly direct?: DirectDecode,
  ) {}

  get tokenCount(): number {
    return this.sequence.nextTokenIndex;
  }

  get evaluatedTotal(): number {
    return this.meter.getState().evaluated;
  }

  get reusedTotal(): number {
    return this.meter.getState().reused;
  }

  get generatedTotal(): number {
    return this.meter.getState().generated;
  }

  private yieldToForeground(): Promise<void> | undefined {
    return this.gate && !this.gate.foreground ? this.gate.gate.yieldToForeground() : undefined;
  }

  /** Forgets the sequence's KV (Clear Cache), after the request in progress. */
  clearKv(): Promise<void> {
    return this.exclusive(() => this.sequence.clearHistory());
  }

  /** Requests on one sequence run one at a time, in arrival order. */
  private exclusive<T>(task: () => Promise<T>): Promise<T> {
    const gate = this.gate;
    const job = gate?.foreground ? () => gate.gate.run(task) : task;
    const run = this.queue.then(job, job);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Tokenizes a prompt; `stableSegments` gives the token length of its first N segments. */
  tokenize(prompt: readonly PromptSegment[], stableSegments = 0): { tokens: Token[]; stableTokens: number } {
    const tokens: Token[] = [];
    let stableTokens = 0;
    prompt.forEach((segment, index) => {
      if ("token" in segment) tokens.push(this.specialToken(segment.token));
      else tokens.push(...this.model.tokenize(segment.text, segment.parseSpecial ?? false));
      if (index < stableSegments) stableTokens = tokens.length;
    });
    if (tokens.length === 0) throw new EngineError("invalidRequest", "The prompt is empty.");
    if (tokens.length >= this.sequence.contextSize) {
      throw new EngineError(
        "contextOverflow",
        `The prompt has ${tokens.length} tokens; the context holds ${this.sequence.contextSize}. Shorten it or raise deepseekLocal.engine.contextSize.`,
      );
    }
    return { tokens, stableTokens };
  }

  private specialToken(name: SpecialTokenName): Token {
    const tokens = this.model.tokens;
    const token = {
      bos: tokens.bos,
      eos: tokens.eos,
      fimPrefix: tokens.infill.prefix,
      fimSuffix: tokens.infill.suffix,
      fimMiddle: tokens.infill.middle,
    }[name];
    if (token == null) {
      throw new EngineError(
        name.startsWith("fim") ? "fimUnsupported" : "invalidRequest",
        `The loaded model has no ${name} token${name.startsWith("fim") ? ": it cannot do fill-in-the-middle completion" : ""}.`,
      );
    }
    return token;
  }

  /** Evaluates a prompt without generating (warm-up): later requests that start with it reuse it. */
  prefill(prompt: readonly PromptSegment[], signal: AbortSignal, stablePrefixSegments = 0): Promise<RequestMetrics> {
    return this.exclusive(async () => {
      const meter = new RequestMeter(this.meter);
      const { tokens, stableTokens } = this.tokenize(prompt, stablePrefixSegments);
      meter.promptStarted();
      await this.evaluatePrompt(tokens, tokens.length, signal, stableTokens);
      return meter.metrics(tokens.length);
    });
  }

  generate(options: RunOptions): Promise<GenerateResult> {
    return this.exclusive(() => this.run(options));
  }

  /** One request: prompt evaluation, then generation until the stop detector ends it. */
  private async run(options: RunOptions): Promise<GenerateResult> {
    const meter = new RequestMeter(this.meter);
    const { tokens, stableTokens } = this.tokenize(options.prompt, options.stablePrefixSegments);
    const maxTokens = options.maxTokens + tokens.length > this.sequence.contextSize ? Math.max(0, this.sequence.contextSize - tokens.length - 1) : options.maxTokens;
    const grammar = options.jsonSchema ? await this.grammarFor(options.jsonSchema) : undefined;

    // Keep the last prompt token back: evaluating it is what yields the first generated token.
    meter.promptStarted();
    await this.evaluatePrompt(tokens, tokens.length - 1, options.signal, stableTokens);
    meter.promptEnded();

    const stop = new StopDetector(
      {
        stopStrings: options.stopStrings,
        maxTokens,
        maxLines: options.maxLines,
        timeoutMs: options.timeoutMs,
        startedAt: meter.started,
        json: !!grammar,
        signal: options.signal,
      },
      options.onText,
    );
    const generated = stop.stopsBeforeStart() ? 0 : await this.generateAnswer(options, tokens[tokens.length - 1]!, maxTokens, grammar, stop, meter);
    // The held-back last prompt token was evaluated by the generation step.
    if (generated > 0 || stop.stopReason === "eos") this.meter.add({ evaluated: 1 });

    if (grammar && stop.stopReason === "maxTokens") {
      throw new EngineError(
        "tokenLimit",
        `The JSON answer did not finish within ${maxTokens} tokens; nothing was applied. Raise the token limit or narrow the request.`,
      );
    }
    return { text: stop.answer, stopReason: stop.stopReason, metrics: meter.metrics(tokens.length) };
  }

  /** Generates after the prompt (whose last token is `lastPromptToken`); the number of tokens generated. */
  private async generateAnswer(
    options: RunOptions,
    lastPromptToken: Token,
    maxTokens: number,
    grammar: LlamaGrammar | undefined,
    stop: StopDetector,
    meter: RequestMeter,
  ): Promise<number> {
    const grammarState = grammar ? new LlamaGrammarEvaluationState({ model: this.model, grammar }) : undefined;
    const jumpAhead = grammarState && options.jsonSchema ? SchemaJumpAhead.create(this.llama, this.model, options.jsonSchema, grammarState) : undefined;
    const loop = new GenerationLoop(this.model, stop, meter, maxTokens, jumpAhead, () => this.yieldToForeground());
    const opening = loop.opening();
    const stepper = createTokenStepper(this.direct, this.sequence, {
      temperature: options.temperature,
      topK: options.topK,
      topP: options.topP,
      seed: options.seed,
      grammarEvaluationState: grammarState,
    });
    try {
      await loop.run(stepper, [lastPromptToken, ...opening]);
    } finally {
      await stepper.close();
    }
    stop.finish(loop.undecoded());
    this.meter.add({ generated: loop.generated, forced: loop.forced });
    return loop.generated;
  }

  /**
   * Makes the sequence hold `tokens[0, upTo)`: keeps what the KV cache already has (common prefix,
   * then shifted chunks), restores a stable prefix from disk when RAM has less of it, evaluates
   * the rest in bounded batches, and saves the stable prefix to disk when it was evaluated here.
   */
  private async evaluatePrompt(
    tokens: Token[],
    upTo: number,
    signal: AbortSignal,
    stableTokens = 0,
  ): Promise<void> {
    const target = tokens.slice(0, upTo);
    let plan = planKvReuse(this.sequence.contextTokens, target, reuseMinChunkTokens);
    const persistent = this.persistence && stableTokens >= this.persistence.minTokens && stableTokens <= upTo ? stableTokens : 0;
    let restored = 0;
    if (persistent && plan.keptTokens < persistent) {
      if (await this.persistence!.restore(tokens.slice(0, persistent), this.sequence)) restored = persistent;
      // A failed restore may have cleared the sequence: plan again from what it holds now.
      plan = planKvReuse(this.sequence.contextTokens, target, reuseMinChunkTokens);
    }
    if (plan.erase.length) await this.sequence.eraseContextTokenRanges(plan.erase);
    const reused = this.sequence.nextTokenIndex;
    this.meter.add({ reused, restored });
    const saveAt = persistent && !restored && reused < persistent ? persistent : 0;

    const batch = this.sequence.context.batchSize;
    for (let start = reused; start < upTo && !signal.aborted; ) {
      const end = prefillBatchEnd(start, upTo, batch, saveAt);
      await this.yieldToForeground();
      await this.sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(start, end));
      this.meter.add({ evaluated: end - start });
      start = end;
      if (end === saveAt) await this.persistence!.save(tokens.slice(0, saveAt), this.sequence);
    }
    if (signal.aborted) throw new EngineError("cancelled", "The request was cancelled.");
  }

  private grammarFor(schema: Record<string, unknown>): Promise<LlamaGrammar> {
    const key = JSON.stringify(schema);
    let grammar = this.grammars.get(key);
    if (!grammar) {
      grammar = this.llama.createGrammarForJsonSchema(schema as never).catch((error: unknown) => {
        this.grammars.delete(key);
        throw new EngineError("invalidRequest", `The JSON schema cannot be turned into a grammar: ${(error as Error).message}`);
      });
      if (this.grammars.size > 32) this.grammars.delete(this.grammars.keys().next().value!);
      this.grammars.set(key, grammar);
    }
    return grammar;
  }
}
