// Ghost-text completion as a pipeline with no editor in it: window → typed-through cache →
// one model request at a time (the next keystroke cancels the previous one) → post-processing →
// cache; a preview (the first words or lines) is shown while the rest is generated, and the
// suggestion grows in place as lines complete (`onSuggestionGrew`); plus
// the speculative next completion and the extra-context warm-up. Everything is cancelled by
// AbortSignal; the editor adapter converts its CancellationToken at the edge.
// It only calls `infill` and `warmUp`, so it runs against any backend.
import type { CompletionEngine, ExtraContextChunk, InfillRequest } from "../engine/completionEngine.js";
import { EngineError, type RequestMetrics } from "../../protocol/engine.js";
import { CompletionCache, type CachePosition } from "./completionCache.js";
import { ExtraContextRing } from "./extraContextRing.js";
import { selectFimWindow, type FimWindow } from "./fimWindow.js";
import { postProcessCompletion, previewOfStream } from "./postProcess.js";

export interface CompletionSettings {
  prefixTokens: number;
  suffixTokens: number;
  /** Generation caps: tokens and wall-clock time. */
  maxTokens: number;
  timeoutMs: number;
  maxLines: number;
  /**
   * Extra wait after a keystroke before asking the model, on top of the editor's own (VS Code asks
   * 50 ms after the last keystroke). 0 by default: the next keystroke cancels a request in flight,
   * so waiting longer only makes every suggestion later; a paid or shared server may want more.
   */
  debounceMs: number;
  extraContextChunks: number;
  extraContextTokens: number;
  speculative: boolean;
}

export const defaultCompletionSettings: CompletionSettings = {
  prefixTokens: 1024,
  suffixTokens: 128,
  maxTokens: 64,
  timeoutMs: 3000,
  maxLines: 8,
  debounceMs: 0,
  extraContextChunks: 8,
  extraContextTokens: 512,
  speculative: true,
};

export interface CompletionInput {
  /** Identifies the document (its URI). */
  documentId: string;
  /** The name shown for the document in extra-context headers (workspace-relative path). */
  filename: string;
  /** The document's text, or a slice of whole lines of it starting at `firstLine`. */
  text: string;
  /** The cursor, as an offset into `text`. */
  offset: number;
  firstLine?: number;
  /** Asked for explicitly (a command, not typing): no debounce. */
  explicit?: boolean;
}

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
}

interface ModelAnswer {
  text: string;
  /** Absent when a backend that rejects on abort was stopped at the line limit. */
  metrics?: RequestMetrics;
}

interface PendingRequest {
  position: CachePosition;
  /** What to show first: the preview, or the whole answer when it came first. */
  answer: Promise<ModelAnswer | undefined>;
  started: number;
}

/**
 * A speculative request waits this long after its suggestion is shown: a user who types on sooner
 * would cancel it anyway, and Tab comes later than that.
 */
const speculationGapMs = 150;

/**
 * A preview of a line still being written shows once it has this many characters: a word or two
 * arrive within the keystroke interval where a whole line does not (editor bench, issue 25).
 */
const previewMinChars = 8;

function samePosition(a: CachePosition, b: CachePosition): boolean {
  return a.documentId === b.documentId && a.prefix === b.prefix && a.suffix === b.suffix;
}

/**
 * The promise's value, or undefined as soon as the signal aborts. A rejection reaches the caller
 * only while it still waits; a detached request's failure is for no one.
 */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        if (signal.aborted) resolve(undefined);
        else reject(error);
      },
    );
  });
}

function sameChunks(a: readonly ExtraContextChunk[], b: readonly ExtraContextChunk[]): boolean {
  return a.length === b.length && a.every((chunk, i) => chunk.filename === b[i]!.filename && chunk.text === b[i]!.text);
}

function countNewlines(text: string): number {
  let count = 0;
  for (let at = text.indexOf("\n"); at >= 0; at = text.indexOf("\n", at + 1)) count++;
  return count;
}

/** Resolves true after `ms`, or false as soon as the signal aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function isCancellation(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error instanceof EngineError && error.code === "cancelled");
}

export class CompletionPipeline {
  readonly cache = new CompletionCache();
  readonly ring: ExtraContextRing;
  readonly counters: PipelineCounters = { requests: 0, speculativeRequests: 0, cacheHits: 0, cancelled: 0, warmups: 0 };
  /** Per document, the line its prefix window starts at: kept so the prompt start stays put. */
  private readonly anchors = new Map<string, number>();
  /** The one model request (keystroke, speculative or warm-up) the pipeline has running. */
  private running: AbortController | undefined;
  /** The keystroke request now running, which a caller asking for the same position joins. */
  private pending: PendingRequest | undefined;
  private speculation: Promise<void> = Promise.resolve();
  private lastRequest: Promise<void> = Promise.resolve();
  private readonly growListeners = new Set<(position: CachePosition) => void>();

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
    const window = this.window(input, settings);
    const position: CachePosition = { documentId: input.documentId, prefix: window.prefix, suffix: window.suffix };
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
    this.running?.abort();
  }

  /**
   * Starts the model request for a keystroke. Its preview is shown (and cached, so that typing
   * through it does not cancel the request) while the rest is generated; each longer preview, and
   * then the whole answer, replaces it in the cache and tells the editor to show it.
   */
  private startRequest(input: CompletionInput, window: FimWindow, settings: CompletionSettings, position: CachePosition): PendingRequest {
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
    const whole = this.ask(input, window, settings, undefined, false, onPreview).then((result) => {
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
    };
    this.lastRequest = whole.then(settle, settle);
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
    const accepted: CompletionInput = {
      ...input,
      text: input.text.slice(0, input.offset) + suggestion + input.text.slice(input.offset),
      offset: input.offset + suggestion.length,
      explicit: true,
    };
    const window = this.window(accepted, settings);
    const position = { documentId: input.documentId, prefix: window.prefix, suffix: window.suffix };
    if (this.cache.lookup(position) !== undefined) return;
    const claim = this.claim();
    this.speculation = (async () => {
      try {
        if (!(await sleep(Math.max(settings.debounceMs, speculationGapMs), claim.signal))) return;
        const answer = await this.ask(accepted, window, settings, claim.signal, true).catch(() => undefined);
        if (answer) this.cache.store(position, answer.text);
      } finally {
        claim.release();
      }
    })();
  }

  /** Settles when the keystroke request started last has finished, whole answer and all (tests, bench). */
  requestSettled(): Promise<void> {
    return this.lastRequest;
  }

  /** Settles when the speculative request started last has finished (tests, bench). */
  speculationSettled(): Promise<void> {
    return this.speculation;
  }

  /**
   * Called when the user is idle: moves queued extra context into the prompt header and, when the
   * header changed, evaluates the prompt for `input` ahead of time (no tokens generated), so that
   * the next keystroke evaluates only what it changed. Returns whether a warm-up ran.
   */
  async refreshContext(input: CompletionInput | undefined, signal?: AbortSignal): Promise<boolean> {
    // A running request is what the user waits for: never cancel it for a warm-up; the queued
    // chunks wait for the next idle moment.
    if (this.running) return false;
    const before = input ? this.ring.chunksFor(input.filename) : [];
    if (!this.ring.commit() || !input) return false;
    const extraContext = this.ring.chunksFor(input.filename);
    if (sameChunks(before, extraContext)) return false;
    const settings = this.settings();
    const window = this.window(input, settings);
    const claim = this.claim(signal);
    this.counters.warmups++;
    try {
      this.anchors.set(input.documentId, window.prefixStartLine + (input.firstLine ?? 0));
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
    this.anchors.delete(documentId);
  }

  dispose(): void {
    this.cancel();
  }

  /**
   * Makes a new request the one running, cancelling the previous one unless it is `parent` itself
   * (a speculative request's own wait). The request is also cancelled when `parent` aborts.
   */
  private claim(parent?: AbortSignal): { signal: AbortSignal; abort: () => void; release: () => void } {
    if (this.running && this.running.signal !== parent) this.running.abort();
    const controller = new AbortController();
    this.running = controller;
    const abort = () => controller.abort();
    if (parent?.aborted) controller.abort();
    else parent?.addEventListener("abort", abort, { once: true });
    return {
      signal: controller.signal,
      abort: () => controller.abort(),
      release: () => {
        parent?.removeEventListener("abort", abort);
        if (this.running === controller) this.running = undefined;
      },
    };
  }

  private window(input: CompletionInput, settings: CompletionSettings): FimWindow {
    const firstLine = input.firstLine ?? 0;
    const anchor = this.anchors.get(input.documentId);
    const relative = anchor === undefined || anchor < firstLine ? undefined : anchor - firstLine;
    return selectFimWindow(input.text, input.offset, settings, relative);
  }

  private request(input: CompletionInput, window: FimWindow, settings: CompletionSettings): InfillRequest {
    return {
      prefix: window.prefix,
      suffix: window.suffix,
      extraContext: this.ring.chunksFor(input.filename),
      maxTokens: settings.maxTokens,
      timeoutMs: settings.timeoutMs,
      temperature: 0,
    };
  }

  /**
   * One model request, cancelled by `signal` or by the next request. Undefined when cancelled.
   * `onPreview` gets what can be shown of the stream so far: first once it has a few words or a
   * line, then again at each line completed.
   */
  private async ask(
    input: CompletionInput,
    window: FimWindow,
    settings: CompletionSettings,
    signal: AbortSignal | undefined,
    speculative: boolean,
    onPreview?: (text: string) => void,
  ): Promise<ModelAnswer | undefined> {
    const claim = this.claim(signal);
    if (speculative) this.counters.speculativeRequests++;
    else this.counters.requests++;
    this.anchors.set(input.documentId, window.prefixStartLine + (input.firstLine ?? 0));
    // Stop generating once the suggestion has all the lines it can show: the rest would be cut anyway.
    const lineLimit = window.lineSuffix.trim() ? 1 : settings.maxLines;
    const surroundings = (finished: boolean) => ({
      linePrefix: window.linePrefix,
      lineSuffix: window.lineSuffix,
      suffix: window.suffix,
      maxLines: settings.maxLines,
      finished,
    });
    let streamed = "";
    let enough = false;
    let preview: string | undefined;
    const onText = (chunk: string) => {
      streamed += chunk;
      if (enough) return;
      const lineEnded = chunk.includes("\n");
      if (lineEnded && countNewlines(streamed) >= lineLimit) {
        enough = true;
        claim.abort();
      } else if (onPreview && (preview === undefined || lineEnded)) {
        const next = postProcessCompletion(previewOfStream(streamed, previewMinChars), surroundings(true));
        if (next && next !== preview) {
          preview = next;
          onPreview(next);
        }
      }
    };
    let raw: string;
    let finished: boolean;
    let metrics: RequestMetrics | undefined;
    const started = performance.now();
    const traceEnd = (end: string, m?: RequestMetrics) =>
      this.trace(
        `completion request: ${speculative ? "speculative" : "keystroke"}, ${end} after ${Math.round(performance.now() - started)} ms` +
          (m ? `: prompt ${m.promptTokens} (${m.evaluatedTokens} evaluated in ${Math.round(m.promptMs)} ms), first token ${m.firstTokenMs === null ? "none" : `${Math.round(m.firstTokenMs)} ms`}, ${m.generatedTokens} generated` : ""),
      );
    try {
      const result = await this.engine.infill(this.request(input, window, settings), { signal: claim.signal, onText });
      traceEnd(enough ? "enough lines" : result.stopReason, result.metrics);
      if (result.stopReason === "aborted" && !enough) {
        this.counters.cancelled++;
        return undefined;
      }
      raw = enough ? streamed : result.text;
      finished = enough || result.stopReason === "eos" || result.stopReason === "stopString";
      metrics = result.metrics;
    } catch (error) {
      traceEnd(enough ? "enough lines" : isCancellation(error, claim.signal) ? "cancelled" : "failed");
      // A backend that rejects on abort (HTTP) still streamed the lines that were enough.
      if (enough) {
        raw = streamed;
        finished = true;
      } else if (isCancellation(error, claim.signal)) {
        this.counters.cancelled++;
        return undefined;
      } else throw error;
    } finally {
      claim.release();
    }
    return { text: postProcessCompletion(raw, surroundings(finished)), metrics };
  }
}
