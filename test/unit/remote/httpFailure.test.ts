import { describe, expect, it } from "vitest";
import { describeHttpFailure, retryDelayMs, serverMessage } from "../../../src/core/remote/httpFailure.js";

const now = Date.parse("2026-01-01T00:00:00Z");
const ctx = { url: "http://gpu:8080/v1/chat/completions", nowMs: now };

describe("serverMessage", () => {
  it("reads OpenAI, FastAPI and plain-text errors, and strips HTML", () => {
    expect(serverMessage('{"error":{"code":401,"message":"Invalid API Key","type":"authentication_error"}}')).toBe("Invalid API Key");
    expect(serverMessage('{"error":"bad"}')).toBe("bad");
    expect(serverMessage('{"detail":"Not Found"}')).toBe("Not Found");
    expect(serverMessage("<html><body><h1>502 Bad Gateway</h1></body></html>")).toBe("502 Bad Gateway");
    expect(serverMessage("")).toBe("");
  });
});

describe("describeHttpFailure", () => {
  it("gives each status a code, an actionable message and a retry verdict", () => {
    const auth = describeHttpFailure(401, '{"error":{"message":"bad key"}}', ctx);
    expect(auth).toMatchObject({ code: "remoteAuth", retryable: false });
    expect(auth.message).toMatch(/Set Remote API Key/);
    expect(auth.message).toMatch(/bad key/);
    expect(describeHttpFailure(403, "", ctx)).toMatchObject({ code: "remoteAuth", retryable: false });
    expect(describeHttpFailure(404, "", ctx).message).toMatch(/deepseekLocal\.remote\.baseUrl/);
    expect(describeHttpFailure(429, "", { ...ctx, retryAfter: "2" })).toMatchObject({ code: "remoteRateLimited", retryable: true, retryAfterMs: 2000 });
    expect(describeHttpFailure(429, "", { ...ctx, retryAfter: "Thu, 01 Jan 2026 00:00:05 GMT" }).message).toMatch(/Try again in 5 s/);
    expect(describeHttpFailure(503, "loading model", ctx)).toMatchObject({ code: "remoteServerError", retryable: true });
    expect(describeHttpFailure(503, "", { ...ctx, retryAfter: "1.5" })).toMatchObject({ retryAfterMs: 1500 });
    expect(describeHttpFailure(500, "boom", ctx)).toMatchObject({ code: "remoteServerError", retryable: false });
    expect(describeHttpFailure(400, '{"error":{"message":"the request exceeds the available context size"}}', ctx)).toMatchObject({ code: "contextOverflow" });
    expect(describeHttpFailure(400, '{"error":{"message":"bad field"}}', ctx)).toMatchObject({ code: "invalidRequest" });
    expect(describeHttpFailure(418, "", ctx)).toMatchObject({ code: "remoteBadResponse" });
  });
});

describe("retryDelayMs", () => {
  const policy = { maxRetries: 2, baseDelayMs: 100, maxDelayMs: 5000 };
  it("backs off exponentially for retryable failures, up to the retry count", () => {
    expect(retryDelayMs(0, { retryable: true }, policy)).toBe(100);
    expect(retryDelayMs(1, { retryable: true }, policy)).toBe(200);
    expect(retryDelayMs(2, { retryable: true }, policy)).toBeUndefined();
  });
  it("honours Retry-After, and gives up when it is longer than the cap", () => {
    expect(retryDelayMs(0, { retryable: true, retryAfterMs: 1200 }, policy)).toBe(1200);
    expect(retryDelayMs(0, { retryable: true, retryAfterMs: 60_000 }, policy)).toBeUndefined();
  });
  it("never retries what is not retryable", () => {
    expect(retryDelayMs(0, { retryable: false }, policy)).toBeUndefined();
  });
});
