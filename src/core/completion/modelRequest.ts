// The model stage: one infill request for a window, its stream turned into previews as lines
// complete, and its answer post-processed. The line limit travels with the request: the engine
// stops there (stopReason "lineLimit") instead of the host cancelling it.
import type { CompletionEngine, ExtraContextChunk, InfillRequest } from "../engine/completionEngine.js";
import { EngineError, type RequestMetrics, type StopReason } from "../../protocol/engine.js";
import type { CompletionSettings } from "./completionSettings.js";
import type { FimWindow } from "./fimWindow.js";
import { postProcessCompletion, previewOfStream, type CompletionSurroundings } from "./postProcess.js";

export interface ModelAnswer {
  text: string;
  metrics?: RequestMetrics;
}

/** Why the model is asked: for a keystroke, ahead of time (speculation), or for another suggestion (Alt+]). */
export type ModelRequestKind = "keystroke" | "speculative" | "alternative";

export interface ModelRequestOptions {
  signal: AbortSignal;
  kind: ModelRequestKind;
  /** Gets what can be shown of the stream so far: once it has a few words or a line, then at each line completed. */
  onPreview?: (text: string) => void;
  onCancelled?: () => void;
  /** One line when the request ends: what it cost and why it ended. */
  trace: (line: string) => void;
}

/**
 * A preview of a line still being written shows once it has this many characters: a word or two
 * arrive within the keystroke interval where a whole line does not (editor bench, issue 25).
 */
const previewMinChars = 8;

/** Endings after which the last line is complete; after a token or time cap it may be cut mid-line. */
const completeEndings: ReadonlySet<StopReason> = new Set<StopReason>(["eos", "stopString", "lineLimit"]);

/** The lines a suggestion here can show: one with code right of the cursor. */
export function lineLimitFor(window: FimWindow, settings: CompletionSettings): number {
  return window.lineSuffix.trim() ? 1 : settings.maxLines;
}

export function infillRequestFor(window: FimWindow, extraContext: readonly ExtraContextChunk[], settings: CompletionSettings): InfillRequest {
  return {
    prefix: window.prefix,
    suffix: window.suffix,
    extraContext,
    maxTokens: settings.maxTokens,
    maxLines: lineLimitFor(window, settings),
    timeoutMs: settings.timeoutMs,
    temperature: 0,
  };
}

export function isCancellation(error: unknown, signal: AbortSignal): boolean {
  return signal.aborted || (error instanceof EngineError && error.code === "cancelled");
}

function describeEnd(kind: string, end: string, ms: number, m?: RequestMetrics): string {
  const cost = m
    ? `: prompt ${m.promptTokens} (${m.evaluatedTokens} evaluated in ${Math.round(m.promptMs)} ms), first token ${m.firstTokenMs === null ? "none" : `${Math.round(m.firstTokenMs)} ms`}, ${m.generatedTokens} generated`
    : "";
  return `completion request: ${kind}, ${end} after ${Math.round(ms)} ms${cost}`;
}

/** Asks the engine; undefined when the request was cancelled. Other engine errors reach the caller. */
export async function askModel(
  engine: CompletionEngine,
  request: InfillRequest,
  window: FimWindow,
  settings: CompletionSettings,
  options: ModelRequestOptions,
): Promise<ModelAnswer | undefined> {
  const surroundings = (finished: boolean): CompletionSurroundings => ({
    linePrefix: window.linePrefix,
    lineSuffix: window.lineSuffix,
    suffix: window.suffix,
    maxLines: settings.maxLines,
    finished,
  });
  let streamed = "";
  let preview: string | undefined;
  const onPreview = options.onPreview;
  const onText = (chunk: string) => {
    streamed += chunk;
    if (!onPreview || (preview !== undefined && !chunk.includes("\n"))) return;
    const next = postProcessCompletion(previewOfStream(streamed, previewMinChars), surroundings(true));
    if (next && next !== preview) {
      preview = next;
      onPreview(next);
    }
  };
  const started = performance.now();
  const trace = (end: string, m?: RequestMetrics) =>
    options.trace(describeEnd(options.kind, end, performance.now() - started, m));
  try {
    const result = await engine.infill(request, { signal: options.signal, onText });
    trace(result.stopReason, result.metrics);
    if (result.stopReason === "aborted") {
      options.onCancelled?.();
      return undefined;
    }
    return { text: postProcessCompletion(result.text, surroundings(completeEndings.has(result.stopReason))), metrics: result.metrics };
  } catch (error) {
    const cancelled = isCancellation(error, options.signal);
    trace(cancelled ? "cancelled" : "failed");
    if (!cancelled) throw error;
    options.onCancelled?.();
    return undefined;
  }
}
