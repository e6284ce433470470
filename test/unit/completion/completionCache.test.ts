import { describe, expect, it } from "vitest";
import { CompletionCache } from "../../../src/core/completion/completionCache.js";

const prefix = "function area(r: number): number {\n  return ";
const suffix = "\n}\n";
const at = (p: string, s = suffix, documentId = "file:///a.ts") => ({ documentId, prefix: p, suffix: s });

describe("CompletionCache", () => {
  it("serves the rest of a suggestion while the user types it", () => {
    const cache = new CompletionCache();
    cache.store(at(prefix), "Math.PI * r * r;");
    expect(cache.lookup(at(prefix))).toBe("Math.PI * r * r;");
    expect(cache.lookup(at(`${prefix}Math.`))).toBe("PI * r * r;");
    expect(cache.lookup(at(`${prefix}Math.PI * r * r`))).toBe(";");
  });

  it("misses when the user types something else, the suggestion is used up, or elsewhere", () => {
    const cache = new CompletionCache();
    cache.store(at(prefix), "Math.PI * r * r;");
    expect(cache.lookup(at(`${prefix}2 * `))).toBeUndefined();
    expect(cache.lookup(at(`${prefix}Math.PI * r * r;`))).toBeUndefined();
    expect(cache.lookup(at(prefix, "\n}\n\nexport {};\n"))).toBeUndefined();
    expect(cache.lookup(at(prefix, suffix, "file:///b.ts"))).toBeUndefined();
  });

  it("remembers 'nothing to suggest' for the exact position only", () => {
    const cache = new CompletionCache();
    cache.store(at(prefix), "");
    expect(cache.lookup(at(prefix))).toBe("");
    expect(cache.lookup(at(`${prefix}x`))).toBeUndefined();
  });

  it("matches on the end of long prefixes, whatever window start they had", () => {
    const cache = new CompletionCache();
    const long = `${"// filler line\n".repeat(100)}${prefix}`;
    cache.store(at(long), "r ** 2;");
    expect(cache.lookup(at(long.slice(300)))).toBe("r ** 2;");
  });

  it("evicts the least recently used entry beyond capacity", () => {
    const cache = new CompletionCache(2);
    cache.store(at("a = "), "1");
    cache.store(at("b = "), "2");
    expect(cache.lookup(at("a = "))).toBe("1");
    cache.store(at("c = "), "3");
    expect(cache.lookup(at("b = "))).toBeUndefined();
    expect(cache.lookup(at("a = "))).toBe("1");
    expect(cache.size).toBe(2);
  });
});
