// Retry-After and exponential backoff, shared by model downloads and remote model requests so both
// read a server's wishes the same way. Each caller keeps its own policy for a long Retry-After.

/**
 * Milliseconds a server asked us to wait, from Retry-After: delay-seconds or an HTTP date
 * (RFC 9110 §10.2.3). Fractional seconds are accepted because some servers send them; a date in
 * the past means "now" (0). undefined when absent or unreadable, so the caller falls back to backoff.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  // Every HTTP-date form names the day and month; without a letter this is no date, and V8's
  // lenient Date.parse would otherwise read "-5" as a year-2001 date, i.e. "retry now".
  if (!/[a-z]/i.test(trimmed)) return undefined;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

/** base × 2^attempt (attempt counts from 0), capped at max so a long run of failures never waits for ever. */
export function exponentialBackoffMs(baseDelayMs: number, maxDelayMs: number, attempt: number): number {
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt));
}
