import { describe, expect, it } from "vitest";
import { exponentialBackoffMs, parseRetryAfter } from "../../../src/core/http/retryAfter.js";

const now = Date.parse("2026-01-01T00:00:00Z");

describe("parseRetryAfter", () => {
  it("reads delay-seconds, fractional seconds included, as milliseconds", () => {
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter(" 12 ", now)).toBe(12_000);
    expect(parseRetryAfter("0.5", now)).toBe(500);
    expect(parseRetryAfter("0", now)).toBe(0);
  });
  it("reads an HTTP date as the time left until it, and a past date as 0", () => {
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:10 GMT", now)).toBe(10_000);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:01:00 GMT", now)).toBe(60_000);
    expect(parseRetryAfter("Wed, 31 Dec 2025 00:00:00 GMT", now)).toBe(0);
  });
  it("returns undefined for a missing or unreadable header", () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("", now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
    expect(parseRetryAfter("1.2.3", now)).toBeUndefined();
  });
});

describe("exponentialBackoffMs", () => {
  it("doubles from the base with each attempt (from 0) and stops at the cap", () => {
    expect([0, 1, 2, 3, 4, 5].map((attempt) => exponentialBackoffMs(1000, 8000, attempt))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(exponentialBackoffMs(100, 5000, 0)).toBe(100);
  });
});
