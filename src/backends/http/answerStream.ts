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
  const scanner = new StopStringScanner(request.stopStrings ?? []);
  const jsonEnd = request.json ? new JsonEndTracker() : undefined;
  const lines = request.maxLines ? new LineLimit(request.maxLines) : undefined;
  const echo = new EchoedPrefixStripper(request.echoedPrefix ?? "");
  let shown = "";
  let firstTokenMs: number | null = null;
  let endedBy: "stopString" | "lineLimit" | "json" | undefined;
  let truncated = false;

  const show = (text: string) => {
    if (!text) return;
    shown += text;
    options.onText?.(text);
  };

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
      const scan = scanner.push(echo.push(added));
      const emit = lines ? lines.push(scan.emit) : scan.emit;
      if (jsonEnd?.push(emit)) {
        show(emit.slice(0, jsonEnd.end! - shown.length));
        endedBy = "json";
      } else {
        show(emit);
        if (lines?.reached) endedBy = "lineLimit";
        else if (scan.stopped) endedBy = "stopString";
      }
      if (endedBy) {
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
  else if (endedBy) stopReason = endedBy === "json" ? "eos" : endedBy;
  else if (answer.finishReason === undefined) {
    throw new RemoteEngineError(
      "remoteStreamDropped",
      `The answer from ${request.url} stopped mid-way${truncated ? " inside an event" : ""}, without saying why; ${shown.length} characters arrived. The server or a proxy dropped the stream.`,
    );
  } else {
    stopReason = answer.finishReason === "length" ? "maxTokens" : answer.stoppedByString ? "stopString" : "eos";
  }
  // Text held back in case it began a stop string is the answer's end after all.
  if (!endedBy) show(lines ? lines.push(scanner.flush()) : scanner.flush());
  return { answer, text: shown, reasoning: answer.reasoning, stopReason, metrics: metricsOf(answer, started, firstTokenMs) };
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
