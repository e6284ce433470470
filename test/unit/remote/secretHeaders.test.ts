import { describe, expect, it } from "vitest";
import { isHeaderName, isSecretHeaderName, parseStoredSecretHeaders, withSecretHeader } from "../../../src/core/remote/secretHeaders.js";

describe("isSecretHeaderName", () => {
  it("flags names that carry credentials", () => {
    for (const name of ["Authorization", "Proxy-Authorization", "X-Api-Key", "api-key", "Ocp-Apim-Subscription-Key", "X-Auth-Token", "X-Client-Secret", "Cookie", "X-Password"]) {
      expect(isSecretHeaderName(name), name).toBe(true);
    }
  });

  it("lets ordinary headers through", () => {
    for (const name of ["X-Team", "X-Request-Source", "OpenAI-Organization", "HTTP-Referer", "X-Title"]) expect(isSecretHeaderName(name), name).toBe(false);
  });
});

describe("isHeaderName", () => {
  it("accepts RFC 9110 tokens only", () => {
    expect(isHeaderName("X-Api-Key")).toBe(true);
    expect(isHeaderName("bad name")).toBe(false);
    expect(isHeaderName("a:b")).toBe(false);
    expect(isHeaderName("")).toBe(false);
  });
});

describe("parseStoredSecretHeaders", () => {
  it("reads the stored object, dropping anything malformed", () => {
    expect(parseStoredSecretHeaders(JSON.stringify({ "X-Api-Key": "k", "bad name": "v", empty: "", n: 1 }))).toEqual({ "X-Api-Key": "k" });
    expect(parseStoredSecretHeaders(undefined)).toEqual({});
    expect(parseStoredSecretHeaders("not json")).toEqual({});
    expect(parseStoredSecretHeaders("[1]")).toEqual({});
  });
});

describe("withSecretHeader", () => {
  it("sets, replaces case-insensitively, and removes on an empty value", () => {
    const one = withSecretHeader({}, "X-Api-Key", "a");
    expect(one).toEqual({ "X-Api-Key": "a" });
    expect(withSecretHeader(one, "x-api-key", "b")).toEqual({ "x-api-key": "b" });
    expect(withSecretHeader(one, "X-API-KEY", "")).toEqual({});
  });
});
