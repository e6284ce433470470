// What went wrong with a download, as a typed error that names the URL and what the user can do,
// and which failures are worth another try.
import { exponentialBackoffMs } from "../../http/retryAfter.js";

export type DownloadErrorCode =
  | "unauthorized"
  | "notFound"
  | "rateLimited"
  | "serverError"
  | "httpError"
  | "network"
  | "stalled"
  | "incomplete"
  | "checksumMismatch"
  | "sizeMismatch"
  | "noChecksum"
  | "unverifiable"
  | "insecureRedirect"
  | "badRedirect"
  | "busy"
  | "insufficientSpace"
  | "diskFull"
  | "writeFailed"
  | "cancelled";

export class DownloadError extends Error {
  constructor(
    readonly code: DownloadErrorCode,
    message: string,
    readonly url: string,
    /** A failure another attempt may not repeat (network, 429, 5xx, stalls). */
    readonly transient = false,
    /** Milliseconds the server asked us to wait (Retry-After), when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "DownloadError";
  }
}

const resumeHint = "Run “Download Model…” again later: the download resumes where it stopped.";
const manualHint = "You can also download the file in a browser and pick it with “Select Model File…”.";

/** The error for a response status other than 200/206. */
export function httpStatusError(status: number, url: string, retryAfterMs?: number): DownloadError {
  if (status === 401 || status === 403) {
    return new DownloadError(
      "unauthorized",
      `The server refused the download of ${url} (HTTP ${status}). The file may need a signed-in account or an accepted licence: open the URL in a browser. ${manualHint}`,
      url,
    );
  }
  if (status === 404 || status === 410) {
    return new DownloadError(
      "notFound",
      `${url} does not exist (HTTP ${status}). The catalog entry may be out of date: update the extension, or find the file on its publisher's page. ${manualHint}`,
      url,
    );
  }
  if (status === 429) {
    // Whole seconds for the user: the header's own unit, rounded up so we never promise too early.
    const wait = retryAfterMs !== undefined ? ` It asked to wait ${Math.ceil(retryAfterMs / 1000)} s.` : "";
    return new DownloadError("rateLimited", `The server is limiting downloads from ${url} (HTTP 429).${wait} ${resumeHint}`, url, true, retryAfterMs);
  }
  if (status >= 500) {
    return new DownloadError("serverError", `The server failed while sending ${url} (HTTP ${status}). ${resumeHint}`, url, true, retryAfterMs);
  }
  return new DownloadError("httpError", `The server answered HTTP ${status} for ${url}. ${manualHint}`, url);
}

export interface RetryPolicy {
  /** Attempts in a row without progress before giving up (an attempt that received bytes resets the count). */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 30_000 };

/** Longest Retry-After honoured; beyond it the user is better served by an error that says "later". */
export const maxRetryAfterMs = 5 * 60 * 1000;

/** Exponential backoff (1, 2, 4 … × base), capped; a server's Retry-After wins when it is longer. */
export function backoffDelayMs(policy: RetryPolicy, failuresInARow: number, retryAfterMs?: number): number {
  // failuresInARow counts from 1 (the failure just seen); the backoff helper counts from 0.
  const exponential = exponentialBackoffMs(policy.baseDelayMs, policy.maxDelayMs, failuresInARow - 1);
  const asked = retryAfterMs !== undefined ? Math.min(maxRetryAfterMs, retryAfterMs) : 0;
  return Math.max(exponential, asked);
}

const networkCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_CLOSED",
]);
const stallCodes = new Set(["UND_ERR_BODY_TIMEOUT", "UND_ERR_HEADERS_TIMEOUT"]);

/** Maps a network-level error from the HTTP client to a typed, transient download error. */
export function networkError(error: unknown, url: string): DownloadError | null {
  const code = (error as { code?: string } | null)?.code ?? (error as { cause?: { code?: string } } | null)?.cause?.code;
  const detail = (error as Error | null)?.message ?? String(error);
  if (code && stallCodes.has(code)) {
    return new DownloadError("stalled", `The server stopped sending ${url} (no data for too long). ${resumeHint}`, url, true);
  }
  if ((code && networkCodes.has(code)) || /socket|terminated|other side closed|premature close|aborted/i.test(detail)) {
    return new DownloadError("network", `The connection was lost while downloading ${url} (${code ?? detail}). Check the network. ${resumeHint}`, url, true);
  }
  return null;
}
