import { describe, expect, it } from "vitest";
import {
  DownloadError,
  backoffDelayMs,
  httpStatusError,
  maxRetryAfterMs,
  networkError,
} from "../../../src/core/models/download/downloadFailure";

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
    const limited = httpStatusError(429, url, 30_000);
    expect(limited.message).toMatch(/wait 30 s\./);
    expect(limited.retryAfterMs).toBe(30_000);
    expect(httpStatusError(429, url, 1500).message).toMatch(/wait 2 s\./);
    expect(httpStatusError(503, url, 5000).retryAfterMs).toBe(5000);
    expect(httpStatusError(429, url).retryAfterMs).toBeUndefined();
  });

  it("backs off exponentially up to the cap, and honours a longer Retry-After up to five minutes", () => {
    const policy = { attempts: 5, baseDelayMs: 1000, maxDelayMs: 8000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelayMs(policy, n))).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(backoffDelayMs(policy, 1, 20_000)).toBe(20_000);
    expect(backoffDelayMs(policy, 3, 500)).toBe(4000);
    expect(backoffDelayMs(policy, 1, 3_600_000)).toBe(maxRetryAfterMs);
  });

  it("recognises dropped connections and stalls as transient", () => {
    expect(networkError(Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }), url)).toMatchObject({ code: "network", transient: true });
    expect(networkError(Object.assign(new Error("Body Timeout Error"), { code: "UND_ERR_BODY_TIMEOUT" }), url)).toMatchObject({ code: "stalled", transient: true });
    expect(networkError(new Error("something else"), url)).toBeNull();
  });
});
