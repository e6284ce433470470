// Edges of the typed-through cache that the mutation run (issue 24, docs/mutation.md) showed untested:
// long suffixes, two positions that differ only in document or suffix, storing at a known position,
// the recency order after a hit in the middle, and clear().
import { describe, expect, it } from "vitest";
import { CompletionCache } from "../../../src/core/completion/completionCache.js";

const prefix = "def area(r):\n    return ";
const suffix = "\n\nprint(area(2))\n";
const at = (p: string, s = suffix, documentId = "file:///w/area.py") => ({ documentId, prefix: p, suffix: s });

describe("CompletionCache edges", () => {
  it("finds a suggestion again under a suffix longer than the part it compares", () => {
    const cache = new CompletionCache();
    const longSuffix = `\n${"    # a long comment line below the cursor\n".repeat(20)}`;
    cache.store(at(prefix, longSuffix), "3.14159 * r * r");
    expect(cache.lookup(at(prefix, longSuffix))).toBe("3.14159 * r * r");
    expect(cache.lookup(at(`${prefix}3.14`, longSuffix))).toBe("159 * r * r");
    // An edit far below the cursor does not tell the positions apart.
    expect(cache.lookup(at(prefix, `${longSuffix}print(area(3))\n`))).toBe("3.14159 * r * r");
  });

  it("keeps positions apart that differ only in their document or only in their suffix", () => {
    const cache = new CompletionCache();
    cache.store(at(prefix), "r * r");
    cache.store(at(prefix, suffix, "file:///w/other.py"), "2 * r");
    cache.store(at(prefix, "\n"), "0");
    expect(cache.size).toBe(3);
    expect(cache.lookup(at(prefix))).toBe("r * r");
    expect(cache.lookup(at(prefix, suffix, "file:///w/other.py"))).toBe("2 * r");
    expect(cache.lookup(at(prefix, "\n"))).toBe("0");
  });

  it("replaces the suggestion stored at the same position", () => {
    const cache = new CompletionCache();
    cache.store(at(prefix), "r * r");
    cache.store(at(prefix), "r ** 2");
    expect(cache.size).toBe(1);
    expect(cache.lookup(at(prefix))).toBe("r ** 2");
  });

  it("moves a hit in the middle to the front without losing or doubling entries", () => {
    const cache = new CompletionCache(3);
    cache.store(at("a = "), "1");
    cache.store(at("b = "), "2");
    cache.store(at("c = "), "3");
    expect(cache.lookup(at("b = "))).toBe("2");
    expect(cache.size).toBe(3);
    // Least recently used is now "a": the next store evicts it, and only it.
    cache.store(at("d = "), "4");
    expect(cache.lookup(at("a = "))).toBeUndefined();
    expect([cache.lookup(at("b = ")), cache.lookup(at("c = ")), cache.lookup(at("d = "))]).toEqual(["2", "3", "4"]);
    expect(cache.size).toBe(3);
  });

  it("forgets everything on clear", () => {
    const cache = new CompletionCache();
    cache.store(at(prefix), "r * r");
    cache.clear();
    expect(cache.size).toBe(0);
    expect(cache.lookup(at(prefix))).toBeUndefined();
  });
});
