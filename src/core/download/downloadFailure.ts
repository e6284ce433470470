// What went wrong with a download, as a typed error that names the URL and what the user can do,
// and which failures are worth another try.

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
  | "noChecksum"
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
    /** Seconds the server asked us to wait (Retry-After). */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
    this.name = "DownloadError";
  }
}

const resumeHint = "Run “Download Model…” again later: the download resumes where it stopped.";
const manualHint = "You can also download the file in a browser and pick it with “Select Model File…”.";

/** Parses Retry-After (seconds or an HTTP date) into seconds from `now`. */
export function parseRetryAfter(header: string | null | undefined, now: number): number | null {
  if (!header) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, (date - now) / 1000);
}

/** The error for a response status other than 200/206. */
export function httpStatusError(status: number, url: string, retryAfterSeconds: number | null = null): DownloadError {
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
    const wait = retryAfterSeconds !== null ? ` It asked to wait ${Math.ceil(retryAfterSeconds)} s.` : "";
    return new DownloadError("rateLimited", `The server is limiting downloads from ${url} (HTTP 429).${wait} ${resumeHint}`, url, true, retryAfterSeconds);
  }
  if (status >= 500) {
    return new DownloadError("serverError", `The server failed while sending ${url} (HTTP ${status}). ${resumeHint}`, url, true, retryAfterSeconds);
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
export function backoffDelayMs(policy: RetryPolicy, failuresInARow: number, retryAfterSeconds: number | null = null): number {
  const exponential = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, failuresInARow - 1));
  const asked = retryAfterSeconds !== null ? Math.min(maxRetryAfterMs, retryAfterSeconds * 1000) : 0;
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
