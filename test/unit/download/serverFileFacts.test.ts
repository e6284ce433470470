import { describe, expect, it } from "vitest";
import {
  linkedFileFacts,
  parseByteCount,
  parseContentRange,
  parseLinkedSha256,
  parseUnsatisfiedRangeTotal,
  resumeValidator,
  sameKindValidator,
  singleHeader,
} from "../../../src/core/models/download/serverFileFacts";

const sha = "a".repeat(64);

describe("server file facts (untrusted headers)", () => {
  it("reads Hugging Face's X-Linked-Etag as a sha256 only when it is one", () => {
    expect(parseLinkedSha256(`"${sha.toUpperCase()}"`)).toBe(sha);
    expect(parseLinkedSha256(`W/"${sha}"`)).toBe(sha);
    expect(parseLinkedSha256(sha)).toBe(sha);
    // A git blob sha1 (non-LFS file), a short or padded value, garbage: no checksum.
    expect(parseLinkedSha256('"0123456789abcdef0123456789abcdef01234567"')).toBeNull();
    expect(parseLinkedSha256(`"${sha}0"`)).toBeNull();
    expect(parseLinkedSha256(`"${"g".repeat(64)}"`)).toBeNull();
    expect(parseLinkedSha256(undefined)).toBeNull();
  });

  it("reads byte counts strictly: digits only, exact in a double", () => {
    expect(parseByteCount("10360000000")).toBe(10_360_000_000);
    expect(parseByteCount(" 42 ")).toBe(42);
    for (const bad of ["-1", "1e9", "0x10", "12.5", "", "99999999999999999", "1,000"]) expect(parseByteCount(bad)).toBeNull();
  });

  it("takes one answer per header: a repeated header counts as absent", () => {
    expect(singleHeader({ etag: ['"a"', '"b"'] }, "ETag")).toBeUndefined();
    expect(linkedFileFacts({ "x-linked-etag": [`"${sha}"`, `"${"b".repeat(64)}"`], "x-linked-size": "7" })).toEqual({ sha256: null, sizeBytes: 7 });
  });

  it("parses Content-Range only when it is a consistent range of a known total", () => {
    expect(parseContentRange("bytes 100-199/200")).toEqual({ start: 100, end: 199, total: 200 });
    for (const bad of ["bytes 100-199/*", "bytes 200-100/300", "bytes 0-200/200", "bytes=0-1/2", "items 0-1/2", undefined]) {
      expect(parseContentRange(bad)).toBeNull();
    }
    expect(parseUnsatisfiedRangeTotal("bytes */500")).toBe(500);
    expect(parseUnsatisfiedRangeTotal("bytes 0-1/2")).toBeNull();
  });

  it("resumes only with a strong validator: a strong ETag, else a Last-Modified date, never a weak ETag", () => {
    expect(resumeValidator({ etag: '"v1"', "last-modified": "Wed, 21 Oct 2015 07:28:00 GMT" })).toBe('"v1"');
    expect(resumeValidator({ etag: 'W/"v1"', "last-modified": "Wed, 21 Oct 2015 07:28:00 GMT" })).toBe("Wed, 21 Oct 2015 07:28:00 GMT");
    expect(resumeValidator({ etag: 'W/"v1"' })).toBeNull();
    expect(resumeValidator({ etag: "unquoted" })).toBeNull();
    expect(resumeValidator({ "last-modified": "not a date" })).toBeNull();
    expect(resumeValidator({ etag: `"${"x".repeat(600)}"` })).toBeNull();
    expect(resumeValidator({ etag: '"v1\u0000"' })).toBeNull();
    expect(resumeValidator({})).toBeNull();
  });

  it("compares a response's validator with the stored one of the same kind", () => {
    expect(sameKindValidator({ etag: '"v2"', "last-modified": "x" }, '"v1"')).toBe('"v2"');
    expect(sameKindValidator({ etag: '"v2"', "last-modified": "Thu, 22 Oct 2015 07:28:00 GMT" }, "Wed, 21 Oct 2015 07:28:00 GMT")).toBe(
      "Thu, 22 Oct 2015 07:28:00 GMT",
    );
    expect(sameKindValidator({}, '"v1"')).toBeNull();
  });
});
