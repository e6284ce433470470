// Ghost-text completion as a pipeline with no editor in it: window (promptWindows) → typed-through
// cache → one model request at a time (RequestScheduler: the next keystroke cancels the previous
// one, background work never cancels it) → the model stage (modelRequest: previews, line limit,
// post-processing) → cache; a preview is shown while the rest is generated, and the suggestion
// grows in place as lines complete (`onSuggestionGrew`); plus the speculative next completion
// (speculation) and the extra-context warm-up (contextWarmUp). Everything is cancelled by
// AbortSignal; the editor adapter converts its CancellationToken at the edge.
// It only calls `infill` and `warmUp`, so it runs against any backend.
import type { CompletionEngine } from "../engine/completionEngine.js";
import type { RequestMetrics } from "../../protocol/engine.js";
import { sleep, untilAborted } from "../scheduling/abortable.js";
import { RequestScheduler } from "../scheduling/requestScheduler.js";
import { CompletionCache, type CachePosition } from "./completionCache.js";
import { defaultCompletionSettings, type CompletionInput, type CompletionSettings } from "./completionSettings.js";
import { commitExtraContext } from "./contextWarmUp.js";
import { ExtraContextRing } from "./extraContextRing.js";
import type { FimWindow } from "./fimWindow.js";
import { askModel, infillRequestFor, isCancellation, type ModelAnswer, type ModelRequestKind } from "./modelRequest.js";
import { PromptWindows, samePosition } from "./promptWindows.js";
import { acceptedInput, speculationGapMs } from "./speculation.js";
import { alternativeRequest, alternativeSamples, distinctAlternatives } from "./alternatives.js";

/** How long Alt+] waits for the keystroke request still writing the shown suggestion (the user asked; a token costs ~55 ms at real size). */
const alternativesWaitMs = 2_000;

export { defaultCompletionSettings, type CompletionInput, type CompletionSettings } from "./completionSettings.js";

export interface CompletionOutcome {
  /** The suggestion; "" when there is nothing to suggest here. */
  text: string;
  source: "cache" | "model";
  /** From the request to the answer (debounce excluded): to its preview when that came first. */
  latencyMs: number;
  metrics?: RequestMetrics;
}

export interface PipelineCounters {
  /** Model requests started for a keystroke. */
  requests: number;
  /** Model requests started ahead of time for the text after accepting a suggestion. */
  speculativeRequests: number;
  cacheHits: number;
  /** Requests whose answer was dropped because the user typed on (or the request was cancelled). */
  cancelled: number;
  warmups: number;
  /** Sampled alternatives asked of the model (Alt+]), and the distinct ones offered after the greedy answer. */
  alternativesAsked: number;
  alternativesShown: number;
}

interface PendingRequest {
  position: CachePosition;
  /** What to show first: the preview, or the whole answer when it came first. */
  answer: Promise<ModelAnswer | undefined>;
  started: number;
}

export class CompletionPipeline {
  readonly cache = new CompletionCache();
  readonly ring: ExtraContextRing;
  readonly counters: PipelineCounters = {
    requests: 0,
    speculativeRequests: 0,
    cacheHits: 0,
    cancelled: 0,
    warmups: 0,
    alternativesAsked: 0,
    alternativesShown: 0,
  };
  private readonly windows = new PromptWindows();
  /** Keystroke requests are foreground, speculation background, warm-ups idle work. */
  private readonly scheduler = new RequestScheduler();
  /** The keystroke request now running, which a caller asking for the same position joins. */
  private pending: PendingRequest | undefined;
  private readonly growListeners = new Set<(position: CachePosition) => void>();
  /** The last cursor's alternatives: cycling through them back and forth asks the model once. */
  private lastAlternatives: { position: CachePosition; first: string; texts: string[] } | undefined;

  constructor(
    private readonly engine: CompletionEngine,
    private readonly settings: () => CompletionSettings = () => defaultCompletionSettings,
    /** One line per model request, when it ends: what it cost and why it ended (the log's trace level). */
    private readonly trace: (line: string) => void = () => undefined,
  ) {
    this.ring = new ExtraContextRing(() => ({ maxChunks: this.settings().extraContextChunks, maxTokens: this.settings().extraContextTokens }));
  }

  /**
   * A suggestion for the cursor, or undefined when `signal` aborted first. The caller's abort only
   * detaches the caller: the model request goes on (its answer lands in the cache, and a caller
   * asking again for the same position joins it) until a request for another position — the next
   * keystroke — or `cancel()` stops it. Editors cancel requests for reasons other than typing.
   */
  async complete(input: CompletionInput, signal: AbortSignal): Promise<CompletionOutcome | undefined> {
    const arrived = performance.now();
    const settings = this.settings();
    const window = this.windows.windowFor(input, settings);
    const position = this.windows.positionOf(input, window);
    const cached = this.cache.lookup(position);
    if (cached !== undefined) {
      this.counters.cacheHits++;
      return { text: cached, source: "cache", latencyMs: performance.now() - arrived };
    }
    let pending = this.pending && samePosition(this.pending.position, position) ? this.pending : undefined;
    if (!pending) {
      // The engine runs one completion request at a time: free it for this position.
      this.cancel();
      if (!input.explicit && !(await sleep(settings.debounceMs, signal))) return undefined;
      if (signal.aborted) return undefined;
      pending = this.startRequest(input, window, settings, position);
    }
    const answer = await untilAborted(pending.answer, signal);
    // An answer that arrives after the user typed on is for a position that no longer exists.
    if (signal.aborted) {
      this.counters.cancelled++;
      return undefined;
    }
    if (!answer) return undefined;
    return { text: answer.text, source: "model", latencyMs: performance.now() - pending.started, metrics: answer.metrics };
  }

  /**
   * Called when a suggestion already shown for `position` has grown in the cache (more lines, or
   * the whole answer after a preview): the editor asks again to show it. Returns the unsubscriber.
   */
  onSuggestionGrew(listener: (position: CachePosition) => void): () => void {
    this.growListeners.add(listener);
    return () => this.growListeners.delete(listener);
  }

  /** Stops the running model request (keystroke, speculative or warm-up), if any. */
  cancel(): void {
    this.scheduler.cancel();
  }

  /**
   * Starts the model request for a keystroke. Its preview is shown (and cached, so that typing
   * through it does not cancel the request) while the rest is generated; each longer preview, and
   * then the whole answer, replaces it in the cache and tells the editor to show it.
   */
  private startRequest(input: CompletionInput, window: FimWindow, settings: CompletionSettings, position: CachePosition): PendingRequest {
    const claim = this.scheduler.claim("foreground")!;
    let showFirst!: (answer: ModelAnswer) => void;
    const firstShown = new Promise<ModelAnswer>((resolve) => (showFirst = resolve));
    let shown: string | undefined;
    let done = false;
    // A moment's delay: an answer that ends in the same read as its preview is shown whole.
    const onPreview = (text: string) =>
      setTimeout(() => {
        if (done) return;
        this.cache.store(position, text);
        if (shown === undefined) showFirst({ text });
        else this.grew(position);
        shown = text;
      }, 0);
    const whole = this.ask(input, window, settings, claim.signal, "keystroke", onPreview).then((result) => {
      done = true;
      if (result) {
        this.cache.store(position, result.text);
        if (shown !== undefined && result.text !== shown) this.grew(position);
      }
      return result;
    });
    const pending: PendingRequest = { position, answer: Promise.race([firstShown, whole]), started: performance.now() };
    this.pending = pending;
    const settle = () => {
      done = true;
      if (this.pending === pending) this.pending = undefined;
      claim.release();
    };
    whole.then(settle, settle);
    return pending;
  }

  private grew(position: CachePosition): void {
    for (const listener of this.growListeners) listener(position);
  }

  /**
   * The editor shows `suggestion` at `input`: compute in the background the completion that follows
   * accepting it, so that Tab-Tab is served from the cache. It starts after a typing gap, so a user
   * who types on does not make the engine work for nothing, and any other request cancels it. While
   * the request that found `suggestion` still generates, its lines after it are on their way into
   * the cache: nothing to speculate yet, and that request must not be cancelled.
   */
  suggestionShown(input: CompletionInput, suggestion: string): void {
    const settings = this.settings();
    if (!settings.speculative || !suggestion || this.pending) return;
    const accepted = acceptedInput(input, suggestion);
    const window = this.windows.windowFor(accepted, settings);
    const position = this.windows.positionOf(accepted, window);
    if (this.cache.lookup(position) !== undefined) return;
    void this.scheduler.run("background", async (signal) => {
      if (!(await sleep(Math.max(settings.debounceMs, speculationGapMs), signal))) return;
      const answer = await this.ask(accepted, window, settings, signal, "speculative").catch(() => undefined);
      if (answer) this.cache.store(position, answer.text);
    });
  }

  /**
   * Other suggestions for `input`, whose suggestion is `first`, for the user to cycle through. The
   * editor asks only when the user asks for more (VS Code's Invoke trigger: Alt+], or Trigger
   * Inline Suggestion), never on the keystroke path. Only the local engine offers them: its
   * samples reuse the prompt's KV, so each costs only its own tokens. A server answers one
   * completion per request (llama-server's /infill, the DeepSeek FIM API): each alternative would
   * send, evaluate and maybe bill the whole prompt again, so it offers none. Background work: a
   * keystroke request still writing the shown suggestion is waited for (at most
   * `alternativesWaitMs`), never cancelled; the next keystroke cancels them; [] then.
   */
  async alternatives(input: CompletionInput, first: string, signal: AbortSignal): Promise<string[]> {
    if (this.engine.kind !== "local" || !first) return [];
    const settings = this.settings();
    const window = this.windows.windowFor(input, settings);
    const position = this.windows.positionOf(input, window);
    const kept = this.lastAlternatives;
    if (kept && kept.first === first && samePosition(kept.position, position)) return kept.texts;
    if (this.scheduler.runningPriority === "foreground") {
      await untilAborted(this.scheduler.requestSettled("foreground"), AbortSignal.any([signal, AbortSignal.timeout(alternativesWaitMs)]));
    }
    const samples = await this.scheduler.run("background", (claimed) => this.sampleAlternatives(input, window, settings, claimed), signal);
    if (!samples) return [];
    const texts = distinctAlternatives(first, samples);
    this.lastAlternatives = { position, first, texts };
    this.counters.alternativesShown += texts.length;
    this.trace(`completion alternatives: ${samples.length} asked, ${texts.length} distinct offered after the first`);
    return texts;
  }

  /** The sampled answers, one after another on the engine's completion sequence; undefined when cancelled or failed. */
  private async sampleAlternatives(input: CompletionInput, window: FimWindow, settings: CompletionSettings, signal: AbortSignal): Promise<string[] | undefined> {
    const samples: string[] = [];
    for (let index = 0; index < alternativeSamples; index++) {
      const answer = await this.ask(input, window, settings, signal, "alternative", undefined, index).catch(() => undefined);
      if (!answer) return undefined;
      samples.push(answer.text);
    }
    return samples;
  }

  /** Settles when the keystroke request started last has finished, whole answer and all (tests, bench). */
  requestSettled(): Promise<void> {
    return this.scheduler.requestSettled("foreground");
  }

  /** Settles when the speculative request started last has finished (tests, bench). */
  speculationSettled(): Promise<void> {
    return this.scheduler.requestSettled("background");
  }

  /**
   * Called when the user is idle: moves queued extra context into the prompt header and, when the
   * header changed, evaluates the prompt for `input` ahead of time (no tokens generated), so that
   * the next keystroke evaluates only what it changed. Returns whether a warm-up ran.
   */
  async refreshContext(input: CompletionInput | undefined, signal?: AbortSignal): Promise<boolean> {
    // A running request is what the user waits for: never cancel it for a warm-up; the queued
    // chunks wait for the next idle moment.
    if (this.scheduler.runningPriority) return false;
    const extraContext = commitExtraContext(this.ring, input?.filename);
    if (!extraContext || !input) return false;
    const settings = this.settings();
    const window = this.windows.windowFor(input, settings);
    const claim = this.scheduler.claim("idle", signal)!;
    this.counters.warmups++;
    try {
      this.windows.anchor(input, window);
      await this.engine.warmUp({ prefix: window.prefix, suffix: window.suffix, extraContext, timeoutMs: settings.timeoutMs }, claim.signal);
      return true;
    } catch (error) {
      if (isCancellation(error, claim.signal)) return false;
      throw error;
    } finally {
      claim.release();
    }
  }

  /** Forgets a closed document's window anchor. */
  forget(documentId: string): void {
    this.windows.forget(documentId);
  }

  dispose(): void {
    this.cancel();
  }

  /**
   * One model request under a claim's signal; undefined when cancelled (by that signal or the next
   * request). Not async: the answer reaches the cache in the same turn as the engine's, before a
   * caller that stopped waiting can ask again.
   */
  private ask(
    input: CompletionInput,
    window: FimWindow,
    settings: CompletionSettings,
    signal: AbortSignal,
    kind: ModelRequestKind,
    onPreview?: (text: string) => void,
    /** For an alternative: which sample (its seed). */
    sample = 0,
  ): Promise<ModelAnswer | undefined> {
    if (kind === "speculative") this.counters.speculativeRequests++;
    else if (kind === "alternative") this.counters.alternativesAsked++;
    else this.counters.requests++;
    this.windows.anchor(input, window);
    const greedy = infillRequestFor(window, this.ring.chunksFor(input.filename), settings);
    const request = kind === "alternative" ? alternativeRequest(greedy, sample) : greedy;
    const onCancelled = () => this.counters.cancelled++;
    return askModel(this.engine, request, window, settings, { signal, kind, onPreview, onCancelled, trace: this.trace });
  }
}
