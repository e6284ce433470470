// What an HTTP status from a model server means for the user, and whether trying again can help.
import type { EngineErrorCode } from "../../protocol/engine.js";
import { exponentialBackoffMs, parseRetryAfter } from "../http/retryAfter.js";

export interface HttpFailure {
  code: EngineErrorCode;
  message: string;
  /** Worth another attempt (the request had no effect and the cause may pass). */
  retryable: boolean;
  /** From Retry-After, when the server sent one. */
  retryAfterMs?: number;
}

/** The server's own words: OpenAI `{error:{message}}`, llama-server the same, FastAPI `{detail}`, or text. */
export function serverMessage(body: string): string {
  const trimmed = body.trim();
  if (!trimmed) return "";
  try {
    const parsed = JSON.parse(trimmed) as { error?: unknown; message?: unknown; detail?: unknown };
    const error = parsed.error;
    if (typeof error === "string") return error;
    if (error && typeof error === "object" && typeof (error as { message?: unknown }).message === "string") {
      return (error as { message: string }).message;
    }
    if (typeof parsed.message === "string") return parsed.message;
    if (typeof parsed.detail === "string") return parsed.detail;
  } catch {
    // not JSON: an HTML error page from a proxy, or plain text
  }
  const text = trimmed.replace(/<[^>]*>/g, " ").replace(/\s+/g, " ").trim();
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export function describeHttpFailure(
  status: number,
  body: string,
  context: { url: string; retryAfter?: string | null; nowMs: number },
): HttpFailure {
  const said = serverMessage(body);
  const detail = said ? ` The server said: ${said}` : "";
  const where = context.url;
  if (status === 401) {
    return {
      code: "remoteAuth",
      message: `The server at ${where} refused the API key (HTTP 401). Run "DeepSeek Local: Set Remote API Key".${detail}`,
      retryable: false,
    };
  }
  if (status === 403) {
    return {
      code: "remoteAuth",
      message: `The server at ${where} denied access (HTTP 403): the API key lacks permission for this model or endpoint.${detail}`,
      retryable: false,
    };
  }
  if (status === 404) {
    return {
      code: "remoteNotFound",
      message: `The server has no ${where} (HTTP 404): check deepseekLocal.remote.baseUrl, deepseekLocal.remote.model and deepseekLocal.remote.flavor.${detail}`,
      retryable: false,
    };
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(context.retryAfter, context.nowMs);
    const wait = retryAfterMs !== undefined ? ` Try again in ${Math.ceil(retryAfterMs / 1000)} s.` : "";
    return { code: "remoteRateLimited", message: `The server at ${where} is rate limiting requests (HTTP 429).${wait}${detail}`, retryable: true, retryAfterMs };
  }
  if (status === 400 || status === 413 || status === 422) {
    const overflow = /context|too long|maximum.*length|exceed/i.test(said);
    return {
      code: overflow ? "contextOverflow" : "invalidRequest",
      message: overflow
        ? `The request is longer than the server's context window (HTTP ${status}).${detail}`
        : `The server at ${where} rejected the request (HTTP ${status}).${detail}`,
      retryable: false,
    };
  }
  if (status === 501) {
    return { code: "remoteUnsupported", message: `The server at ${where} does not implement this (HTTP 501).${detail}`, retryable: false };
  }
  if (status >= 500) {
    // 502/503/504 are proxies and overloaded or loading servers: passing conditions. A 500 is a bug
    // or a bad request the server did not classify; repeating it only repeats it.
    const retryable = status === 502 || status === 503 || status === 504;
    const retryAfterMs = parseRetryAfter(context.retryAfter, context.nowMs);
    return {
      code: "remoteServerError",
      message: `The server at ${where} failed (HTTP ${status}).${detail}`,
      retryable,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    };
  }
  return { code: "remoteBadResponse", message: `Unexpected HTTP ${status} from ${where}.${detail}`, retryable: false };
}

export interface RetryPolicy {
  /** Attempts after the first. */
  maxRetries: number;
  baseDelayMs: number;
  /** A Retry-After longer than this fails at once: the user is told when to try again instead. */
  maxDelayMs: number;
}

/** How long to wait before attempt `attempt + 1` (attempt counts from 0), or undefined to give up. */
export function retryDelayMs(attempt: number, failure: Pick<HttpFailure, "retryable" | "retryAfterMs">, policy: RetryPolicy): number | undefined {
  if (!failure.retryable || attempt >= policy.maxRetries) return undefined;
  if (failure.retryAfterMs !== undefined) return failure.retryAfterMs <= policy.maxDelayMs ? failure.retryAfterMs : undefined;
  return exponentialBackoffMs(policy.baseDelayMs, policy.maxDelayMs, attempt);
}
