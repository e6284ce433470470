import { describe, expect, it } from "vitest";
import {
  DownloadError,
  backoffDelayMs,
  httpStatusError,
  maxRetryAfterMs,
  networkError,
  parseRetryAfter,
} from "../../../src/core/download/downloadFailure";

const url = "https://example.com/m.gguf";

describe("download failures", () => {
  it("maps HTTP statuses to typed errors that name the URL and whether a retry may help", () => {
    const cases: [number, string, boolean][] = [
      [401, "unauthorized", false],
      [403, "unauthorized", false],
      [404, "notFound", false],
      [429, "rateLimited", true],
      [500, "serverError", true],
      [503, "serverError", true],
      [418, "httpError", false],
    ];
    for (const [status, code, transient] of cases) {
      const error = httpStatusError(status, url);
      expect(error).toBeInstanceOf(DownloadError);
      expect([status, error.code, error.transient]).toEqual([status, code, transient]);
      expect(error.message).toContain(url);
      expect(error.message).toContain(`HTTP ${status}`);
    }
    expect(httpStatusError(429, url, 30).message).toMatch(/wait 30 s/);
  });

  it("parses Retry-After as seconds or a date", () => {
    const now = Date.parse("2025-01-01T00:00:00Z");
    expect(parseRetryAfter("12", now)).toBe(12);
    expect(parseRetryAfter("Wed, 01 Jan 2025 00:01:00 GMT", now)).toBe(60);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(undefined, now)).toBeNull();
  });

  it("backs off exponentially up to the cap, and honours a longer Retry-After up to five minutes", () => {
    const policy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 8000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(policy, n))).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(backoffDelayMs(policy, 1, 20)).toBe(20_000);
    expect(backoffDelayMs(policy, 1, 3600)).toBe(maxRetryAfterMs);
  });

  it("recognises dropped connections and stalls as transient", () => {
    expect(networkError(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }), url)).toMatchObject({ code: "network", transient: true });
    expect(networkError(Object.assign(new Error("Body Timeout Error"), { code: "UND_ERR_BODY_TIMEOUT" }), url)).toMatchObject({ code: "stalled", transient: true });
    expect(networkError(new Error("something else"), url)).toBeNull();
  });
});
