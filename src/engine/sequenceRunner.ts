// Runs requests on one context sequence: reuses the KV of the longest common token prefix,
// evaluates the rest in bounded batches (so an abort lands within one batch — llama.cpp does not
// interrupt a prefill by itself), then generates token by token with a token-level stop.
import {
  LlamaGrammarEvaluationState,
  type Llama,
  type LlamaContextSequence,
  type LlamaGrammar,
  type LlamaModel,
  type Token,
} from "node-llama-cpp";
import { planKvReuse } from "../core/cache/kvReuse.js";
import { JsonEndTracker } from "../core/generation/jsonEnd.js";
import { prefillBatchEnd } from "../core/generation/prefillBatches.js";
import { StopStringScanner, endsWithIncompleteCharacter } from "../core/generation/textStream.js";
import {
  EngineError,
  type GenerateResult,
  type PromptSegment,
  type RequestMetrics,
  type SpecialTokenName,
  type StopReason,
} from "../protocol/engine.js";
import type { PrefixPersistence } from "./enginePrefixCache.js";
import type { ForegroundGate } from "./foregroundGate.js";
import { SchemaJumpAhead } from "./schemaJumpAhead.js";
import { createTokenStepper, type DirectDecode } from "./tokenStepper.js";

/** Shortest run of old tokens worth keeping (by shifting) after a dropped chunk. */
export const reuseMinChunkTokens = 32;

export interface RunOptions {
  prompt: readonly PromptSegment[];
  stablePrefixSegments?: number;
  maxTokens: number;
  temperature: number;
  topK?: number;
  topP?: number;
  seed?: number;
  stopStrings: readonly string[];
  jsonSchema?: Record<string, unknown>;
  timeoutMs?: number;
  signal: AbortSignal;
  onText?: (text: string) => void;
}

export class SequenceRunner {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly grammars = new Map<string, Promise<LlamaGrammar>>();
  evaluatedTotal = 0;
  reusedTotal = 0;
  generatedTotal = 0;

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
      const started = performance.now();
      const { tokens, stableTokens } = this.tokenize(prompt, stablePrefixSegments);
      const promptStarted = performance.now();
      const { reused, evaluated, restored } = await this.evaluatePrompt(tokens, tokens.length, signal, stableTokens);
      const finished = performance.now();
      return metrics(tokens.length, reused, evaluated, restored, 0, finished - promptStarted, null, 0, finished - started);
    });
  }

  generate(options: RunOptions): Promise<GenerateResult> {
    return this.exclusive(() => this.run(options));
  }

  private async run(options: RunOptions): Promise<GenerateResult> {
    const started = performance.now();
    const { signal } = options;
    const { tokens, stableTokens } = this.tokenize(options.prompt, options.stablePrefixSegments);
    if (options.maxTokens + tokens.length > this.sequence.contextSize) {
      options = { ...options, maxTokens: Math.max(0, this.sequence.contextSize - tokens.length - 1) };
    }
    const grammar = options.jsonSchema ? await this.grammarFor(options.jsonSchema) : undefined;

    // Keep the last prompt token back: evaluating it is what yields the first generated token.
    const promptStarted = performance.now();
    const { reused, evaluated, restored } = await this.evaluatePrompt(tokens, tokens.length - 1, signal, stableTokens);
    const promptDone = performance.now();
    const promptMs = promptDone - promptStarted;

    const scanner = new StopStringScanner(options.stopStrings);
    let text = "";
    let pendingTokens: Token[] = [];
    let generated = 0;
    let forcedTokens = 0;
    let firstTokenMs: number | null = null;
    let stopReason: StopReason = "eos";
    const deadline = options.timeoutMs ? started + options.timeoutMs : Infinity;
    const jsonEnd = grammar ? new JsonEndTracker() : undefined;
    let jsonClosed = false;
    const emit = (chunk: string) => {
      if (!chunk || jsonClosed) return;
      if (jsonEnd?.push(chunk)) {
        jsonClosed = true;
        chunk = chunk.slice(0, chunk.length - (text.length + chunk.length - jsonEnd.end!));
      }
      text += chunk;
      options.onText?.(chunk);
    };

    if (signal.aborted) stopReason = "aborted";
    else if (options.maxTokens === 0) stopReason = "maxTokens";
    else {
      const grammarState = grammar ? new LlamaGrammarEvaluationState({ model: this.model, grammar }) : undefined;
      const jumpAhead = grammarState && options.jsonSchema ? SchemaJumpAhead.create(this.llama, this.model, options.jsonSchema, grammarState) : undefined;
      // Text the schema forces (keys, punctuation) is written, not sampled; it counts as generated.
      const writeForced = (): Token[] => {
        if (!jumpAhead) return [];
        const forced = jumpAhead.next(options.maxTokens - generated);
        if (forced.tokens.length) {
          generated += forced.tokens.length;
          forcedTokens += forced.tokens.length;
          const scan = scanner.push(forced.text);
          emit(scan.emit);
          if (scan.stopped) stopReason = "stopString";
        }
        return forced.tokens;
      };
      // A closure: the checks below read what writeForced set.
      const stoppedInForcedText = () => stopReason === "stopString";
      const opening = writeForced();
      const stepper = createTokenStepper(this.direct, this.sequence, {
        temperature: options.temperature,
        topK: options.topK,
        topP: options.topP,
        seed: options.seed,
        grammarEvaluationState: grammarState,
      });
      try {
        // The next evaluation: the sampled token, then any text the schema forces after it.
        let input: Token[] = [tokens[tokens.length - 1]!, ...opening];
        while (!jsonClosed && !stoppedInForcedText()) {
          const token = await stepper.step(input);
          if (token === null) break;
          input = [token];
          await this.yieldToForeground();
          generated++;
          firstTokenMs ??= performance.now() - started;
          pendingTokens.push(token);
          const piece = this.model.detokenize(pendingTokens, false);
          if (!endsWithIncompleteCharacter(piece)) {
            pendingTokens = [];
            jumpAhead?.follow(piece);
            const scan = scanner.push(piece);
            emit(scan.emit);
            if (scan.stopped) {
              stopReason = "stopString";
              break;
            }
            if (jsonClosed) break; // stopReason stays "eos": the answer is complete
            input.push(...writeForced());
            if (jsonClosed || stoppedInForcedText()) break;
          }
          if (signal.aborted) {
            stopReason = "aborted";
            break;
          }
          if (generated >= options.maxTokens) {
            stopReason = "maxTokens";
            break;
          }
          if (performance.now() > deadline) {
            stopReason = "timeout";
            break;
          }
        }
      } finally {
        await stepper.close();
      }
      if (stopReason !== "stopString") {
        if (pendingTokens.length) emit(scanner.push(this.model.detokenize(pendingTokens, false)).emit);
        emit(scanner.flush());
      }
    }
    // The held-back last prompt token was evaluated by the generation step.
    const evaluatedPrompt = evaluated + (generated > 0 || stopReason === "eos" ? 1 : 0);
    this.evaluatedTotal += evaluatedPrompt;
    this.generatedTotal += generated;

    if (grammar && stopReason === "maxTokens") {
      throw new EngineError(
        "tokenLimit",
        `The JSON answer did not finish within ${options.maxTokens} tokens; nothing was applied. Raise the token limit or narrow the request.`,
      );
    }
    const finished = performance.now();
    return {
      text,
      stopReason,
      metrics: metrics(tokens.length, reused, evaluatedPrompt, restored, generated, promptMs, firstTokenMs, finished - promptDone, finished - started, forcedTokens),
    };
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
  ): Promise<{ reused: number; evaluated: number; restored: number }> {
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
    const saveAt = persistent && !restored && reused < persistent ? persistent : 0;

    let evaluated = 0;
    const batch = this.sequence.context.batchSize;
    for (let start = reused; start < upTo && !signal.aborted; ) {
      const end = prefillBatchEnd(start, upTo, batch, saveAt);
      await this.yieldToForeground();
      await this.sequence.evaluateWithoutGeneratingNewTokens(tokens.slice(start, end));
      evaluated += end - start;
      start = end;
      if (end === saveAt) await this.persistence!.save(tokens.slice(0, saveAt), this.sequence);
    }
    this.reusedTotal += reused;
    if (signal.aborted) {
      this.evaluatedTotal += evaluated;
      throw new EngineError("cancelled", "The request was cancelled.");
    }
    return { reused, evaluated, restored };
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

function metrics(
  promptTokens: number,
  reusedTokens: number,
  evaluatedTokens: number,
  restoredTokens: number,
  generatedTokens: number,
  promptMs: number,
  firstTokenMs: number | null,
  generationMs: number,
  totalMs: number,
  forcedTokens = 0,
): RequestMetrics {
  const round = (ms: number) => Math.round(ms * 100) / 100;
  return {
    promptTokens,
    reusedTokens,
    evaluatedTokens,
    restoredTokens,
    generatedTokens,
    forcedTokens,
    promptMs: round(promptMs),
    firstTokenMs: firstTokenMs === null ? null : round(firstTokenMs),
    generationMs: round(generationMs),
    totalMs: round(totalMs),
  };
}
