// Reads one streamed answer to its end: text to the caller as it comes (stop strings held back, as the
// local engine does), the wall-clock cap, cancellation, and the verdict on how the answer ended.
import { AnswerAccumulator, MalformedChunkError, type StreamFormat, type StreamedAnswer } from "../../core/remote/chatStream.js";
import { EchoedPrefixStripper } from "../../core/remote/echoedPrefix.js";
import { JsonEndTracker } from "../../core/generation/jsonEnd.js";
import { LineLimit } from "../../core/generation/lineLimit.js";
import { StopStringScanner } from "../../core/generation/textStream.js";
import { EngineError, type RequestMetrics, type StopReason } from "../../protocol/engine.js";
import type { GenerationOptions } from "../../core/engine/engine.js";
import type { HttpTransport } from "./httpTransport.js";
import { RemoteEngineError, cancelledError } from "./remoteError.js";

export interface AnswerStreamRequest {
  url: string;
  body: unknown;
  format: StreamFormat;
  stopStrings?: readonly string[];
  /** Generation cap: the answer so far is returned with stopReason "timeout". */
  timeoutMs?: number;
  /** End (closing the stream, which stops the server) once the answer has this many lines: stopReason "lineLimit". */
  maxLines?: number;
  /** End as soon as the top-level JSON value closes (the server may pad with whitespace). */
  json?: boolean;
  /** A continued assistant prefix the server may repeat at the start of the answer. */
  echoedPrefix?: string;
}

export interface StreamedResult {
  answer: StreamedAnswer;
  /** The text as shown to the caller: cut at a stop string or at the end of the JSON value. */
  text: string;
  /** A reasoning model's thinking, never part of `text`. */
  reasoning: string;
  stopReason: StopReason;
  metrics: RequestMetrics;
}

/**
 * The answer's text as the caller sees it, and what ends it on this side: a repeated prefix is
 * dropped, stop strings are held back, and the stream ends at a stop string, at the line limit or
 * where the top-level JSON value closes.
 */
class ShownAnswer {
  text = "";
  endedBy: "stopString" | "lineLimit" | "json" | undefined;
  private readonly scanner: StopStringScanner;
  private readonly jsonEnd: JsonEndTracker | undefined;
  private readonly lines: LineLimit | undefined;
  private readonly echo: EchoedPrefixStripper;

  constructor(
    request: AnswerStreamRequest,
    private readonly onText?: (text: string) => void,
  ) {
    this.scanner = new StopStringScanner(request.stopStrings ?? []);
    this.jsonEnd = request.json ? new JsonEndTracker() : undefined;
    this.lines = request.maxLines ? new LineLimit(request.maxLines) : undefined;
    this.echo = new EchoedPrefixStripper(request.echoedPrefix ?? "");
  }

  /** Shows what of `added` belongs to the answer; true once the answer has ended. */
  push(added: string): boolean {
    const scan = this.scanner.push(this.echo.push(added));
    const emit = this.lines ? this.lines.push(scan.emit) : scan.emit;
    if (this.jsonEnd?.push(emit)) {
      this.show(emit.slice(0, this.jsonEnd.end! - this.text.length));
      this.endedBy = "json";
    } else {
      this.show(emit);
      if (this.lines?.reached) this.endedBy = "lineLimit";
      else if (scan.stopped) this.endedBy = "stopString";
    }
    return this.endedBy !== undefined;
  }

  /** The server ended the answer: text held back in case it began a stop string is its end after all. */
  finish(): void {
    if (this.endedBy) return;
    const rest = this.scanner.flush();
    this.show(this.lines ? this.lines.push(rest) : rest);
  }

  private show(text: string): void {
    if (!text) return;
    this.text += text;
    this.onText?.(text);
  }
}

export async function readAnswerStream(transport: HttpTransport, request: AnswerStreamRequest, options: GenerationOptions): Promise<StreamedResult> {
  const started = performance.now();
  const local = new AbortController();
  const onCallerAbort = () => local.abort();
  options.signal?.addEventListener("abort", onCallerAbort, { once: true });
  if (options.signal?.aborted) throw cancelledError();
  let timedOut = false;
  const cap = request.timeoutMs
    ? setTimeout(() => {
        timedOut = true;
        local.abort();
      }, request.timeoutMs)
    : undefined;

  const accumulator = new AnswerAccumulator(request.format);
  const shown = new ShownAnswer(request, options.onText);
  let firstTokenMs: number | null = null;
  let truncated = false;

  try {
    const events = transport.stream(request.url, request.body, local.signal, request.format === "ollama" ? "ndjson" : "sse");
    for (;;) {
      const next = await events.next();
      if (next.done) {
        truncated = next.value.truncated;
        break;
      }
      let added: string;
      try {
        added = accumulator.add(next.value);
      } catch (error) {
        if (error instanceof MalformedChunkError) {
          throw new RemoteEngineError("remoteBadResponse", `${request.url} sent a malformed chunk: ${error.message}`);
        }
        throw error;
      }
      const thought = accumulator.takeReasoning();
      if (thought) options.onReasoning?.(thought);
      if (!added) continue;
      firstTokenMs ??= performance.now() - started;
      if (shown.push(added)) {
        // Returning from the generator closes the connection, which stops generation on the server.
        await events.return({ truncated: false });
        break;
      }
    }
  } catch (error) {
    const cancelled = error instanceof EngineError && error.code === "cancelled";
    if (!(cancelled && timedOut && !options.signal?.aborted)) throw error;
  } finally {
    if (cap) clearTimeout(cap);
    options.signal?.removeEventListener("abort", onCallerAbort);
  }

  const answer = accumulator.result();
  let stopReason: StopReason;
  if (timedOut) stopReason = "timeout";
  else if (shown.endedBy) stopReason = shown.endedBy === "json" ? "eos" : shown.endedBy;
  else if (answer.finishReason === undefined) {
    throw new RemoteEngineError(
      "remoteStreamDropped",
      `The answer from ${request.url} stopped mid-way${truncated ? " inside an event" : ""}, without saying why; ${shown.text.length} characters arrived. The server or a proxy dropped the stream.`,
    );
  } else {
    stopReason = answer.finishReason === "length" ? "maxTokens" : answer.stoppedByString ? "stopString" : "eos";
  }
  shown.finish();
  return { answer, text: shown.text, reasoning: answer.reasoning, stopReason, metrics: metricsOf(answer, started, firstTokenMs) };
}

function metricsOf(answer: StreamedAnswer, started: number, firstTokenMs: number | null): RequestMetrics {
  const totalMs = performance.now() - started;
  const t = answer.timings;
  const usage = answer.usage;
  const reused = t?.cache_n ?? usage?.prompt_cache_hit_tokens ?? usage?.prompt_tokens_details?.cached_tokens ?? 0;
  // llama-server's usage counts the whole prompt; its timings split it into reused and evaluated.
  const promptTokens = t?.prompt_n !== undefined ? t.prompt_n + (t.cache_n ?? 0) : (usage?.prompt_tokens ?? 0);
  const hit = usage?.prompt_cache_hit_tokens;
  const serverCache = hit !== undefined ? { hitTokens: hit, missTokens: usage?.prompt_cache_miss_tokens ?? Math.max(0, promptTokens - hit) } : undefined;
  return {
    ...(serverCache ? { serverCache } : {}),
    promptTokens,
    reusedTokens: reused,
    evaluatedTokens: t?.prompt_n ?? serverCache?.missTokens ?? Math.max(0, promptTokens - reused),
    restoredTokens: 0,
    forcedTokens: 0,
    // An aborted stream has no final usage: count what arrived.
    generatedTokens: t?.predicted_n ?? usage?.completion_tokens ?? answer.chunkTokens,
    promptMs: t?.prompt_ms ?? firstTokenMs ?? 0,
    firstTokenMs,
    generationMs: t?.predicted_ms ?? (firstTokenMs !== null ? totalMs - firstTokenMs : 0),
    totalMs,
  };
}
