// What a sequence did, token by token, and what one request on it cost. The sequence keeps a
// running TokenMeter; a request takes its state when it starts and reports the difference, with
// its own clock (node-llama-cpp's TokenMeter getState()/diff() is the model).
import type { RequestMetrics } from "../protocol/engine.js";

export interface TokenCounts {
  /** Prompt tokens whose KV the sequence already held (restored ones included). */
  reused: number;
  /** Prompt tokens restored from the disk cache. */
  restored: number;
  /** Prompt tokens evaluated. */
  evaluated: number;
  /** Tokens generated, sampled or forced by a schema. */
  generated: number;
  /** Generated tokens a schema forced. */
  forced: number;
}

const noTokens: TokenCounts = { reused: 0, restored: 0, evaluated: 0, generated: 0, forced: 0 };

/** Running totals of one sequence, over the engine's life. */
export class TokenMeter {
  private counts: TokenCounts = { ...noTokens };

  add(counts: Partial<TokenCounts>): void {
    for (const key of Object.keys(noTokens) as (keyof TokenCounts)[]) this.counts[key] += counts[key] ?? 0;
  }

  getState(): TokenCounts {
    return { ...this.counts };
  }

  /** What was counted since `state` (an earlier getState()). */
  diff(state: TokenCounts): TokenCounts {
    const counts = { ...noTokens };
    for (const key of Object.keys(noTokens) as (keyof TokenCounts)[]) counts[key] = this.counts[key] - state[key];
    return counts;
  }
}

/** One request: its share of the sequence's meter, and when its stages began and ended. */
export class RequestMeter {
  private readonly startedAt: number;
  private readonly start: TokenCounts;
  private promptStartedAt: number;
  private promptEndedAt: number | undefined;
  private firstTokenAt: number | null = null;

  constructor(
    private readonly tokens: TokenMeter,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.startedAt = this.promptStartedAt = now();
    this.start = tokens.getState();
  }

  get started(): number {
    return this.startedAt;
  }

  /** Making the sequence hold the prompt begins (after tokenization). */
  promptStarted(): void {
    this.promptStartedAt = this.now();
  }

  /** The sequence holds the prompt; generation begins. */
  promptEnded(): void {
    this.promptEndedAt = this.now();
  }

  tokenGenerated(): void {
    this.firstTokenAt ??= this.now();
  }

  /** The request's metrics, as of now. A request that generated nothing (a prefill) has no generation time. */
  metrics(promptTokens: number): RequestMetrics {
    const finished = this.now();
    const counts = this.tokens.diff(this.start);
    const promptEnded = this.promptEndedAt ?? finished;
    const round = (ms: number) => Math.round(ms * 100) / 100;
    return {
      promptTokens,
      reusedTokens: counts.reused,
      evaluatedTokens: counts.evaluated,
      restoredTokens: counts.restored,
      generatedTokens: counts.generated,
      forcedTokens: counts.forced,
      promptMs: round(promptEnded - this.promptStartedAt),
      firstTokenMs: this.firstTokenAt === null ? null : round(this.firstTokenAt - this.startedAt),
      generationMs: this.promptEndedAt === undefined ? 0 : round(finished - this.promptEndedAt),
      totalMs: round(finished - this.startedAt),
    };
  }
}
