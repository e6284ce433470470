// Edges of the extra-context ring that the mutation run (issue 24, docs/mutation.md) showed untested:
// the similarity thresholds met exactly, blank and indented lines, the queue's bound, the token
// budget met exactly, chunks of the same file or text, a secret in the file name, and clear().
import { describe, expect, it } from "vitest";
import { ExtraContextRing, chunkAround, chunkSimilarity } from "../../../src/core/completion/extraContextRing.js";
import { estimateTokens } from "../../../src/core/completion/fimWindow.js";

const ring = (maxChunks = 8, maxTokens = 10_000) => new ExtraContextRing(() => ({ maxChunks, maxTokens }));
/** A chunk of `n` distinct lines, sharing none with another tag's chunk. */
const lines = (tag: string, n: number, from = 0) => Array.from({ length: n }, (_, i) => `const ${tag}${from + i} = ${i};`).join("\n");
const names = (r: ExtraContextRing, filename = "main.ts") => r.chunksFor(filename).map((c) => c.filename);

describe("chunkSimilarity edges", () => {
  it("compares trimmed lines and leaves blank lines out", () => {
    expect(chunkSimilarity("if (a) {\n  b();\n}", "if (a) {\n\n      b();\n}\n\n")).toBe(1);
    expect(chunkSimilarity("a();\nb();\nc();", "a();\nb();\nd();")).toBe(0.5);
  });

  it("is 0 when either side has no code", () => {
    expect(chunkSimilarity("", "")).toBe(0);
    expect(chunkSimilarity("\n  \n", "\n")).toBe(0);
    expect(chunkSimilarity("", "a();")).toBe(0);
  });

  it("takes the whole text when it is shorter than a chunk", () => {
    expect(chunkAround("a\nb\nc", 1, 10)).toBe("a\nb\nc");
  });
});

describe("ExtraContextRing edges", () => {
  it("takes a chunk of three code lines, not one of two with blank lines around them", () => {
    const r = ring();
    r.offer({ filename: "two.ts", text: "\n\nconst a = 1;\n\nconst b = 2;\n\n" });
    expect(r.pending).toBe(0);
    r.offer({ filename: "three.ts", text: lines("x", 3) });
    expect(r.pending).toBe(1);
  });

  it("ignores a chunk whose file name holds a secret", () => {
    const r = ring();
    r.offer({ filename: "https://deploy:s3cretT0ken@git.example.com/app/main.go", text: lines("x", 5) });
    expect(r.pending).toBe(0);
  });

  it("keeps two chunks exactly half alike as two chunks, in the queue and in the ring", () => {
    const r = ring();
    r.offer({ filename: "a.ts", text: "a();\nb();\nc();" });
    r.offer({ filename: "b.ts", text: "a();\nb();\nd();" });
    expect(r.pending).toBe(2);
    r.commit();
    expect(names(r)).toEqual(["a.ts", "b.ts"]);
    r.offer({ filename: "c.ts", text: "b();\nd();\ne();" });
    r.commit();
    expect(names(r)).toEqual(["a.ts", "b.ts", "c.ts"]);
  });

  it("keeps only the newest of similar chunks waiting in the queue", () => {
    const r = ring();
    const base = lines("x", 6);
    r.offer({ filename: "x.ts", text: base });
    r.offer({ filename: "x.ts", text: `${base}\nconst more = 7;` });
    expect(r.pending).toBe(1);
    r.commit();
    expect(r.chunksFor("main.ts")).toEqual([{ filename: "x.ts", text: `${base}\nconst more = 7;` }]);
  });

  it("treats a chunk 90 % like a known one of its file as an edit, not a repeat", () => {
    const r = ring();
    r.offer({ filename: "x.ts", text: lines("x", 10) });
    r.commit();
    const trimmed = lines("x", 9);
    r.offer({ filename: "x.ts", text: trimmed });
    expect(r.pending).toBe(1);
    r.commit();
    expect(r.chunksFor("main.ts")).toEqual([{ filename: "x.ts", text: trimmed }]);
  });

  it("keeps different chunks of one file, and takes a known chunk again from another file", () => {
    const r = ring();
    r.offer({ filename: "x.ts", text: lines("x", 5) });
    r.offer({ filename: "x.ts", text: lines("y", 5) });
    expect(r.pending).toBe(2);
    r.commit();
    // The same code copied into another file: the newer place wins.
    r.offer({ filename: "copy.ts", text: lines("x", 5) });
    expect(r.pending).toBe(1);
    r.commit();
    expect(names(r)).toEqual(["x.ts", "copy.ts"]);
  });

  it("holds at most 16 chunks waiting, the newest", () => {
    const r = ring(32);
    for (let i = 0; i < 20; i++) r.offer({ filename: `f${i}.ts`, text: lines(`v${i}_`, 3) });
    expect(r.pending).toBe(16);
    r.commit();
    expect(names(r)).toEqual(Array.from({ length: 16 }, (_, i) => `f${i + 4}.ts`));
  });

  it("fits chunks whose cost (text, file name and 4 tokens of framing) meets the budget exactly", () => {
    const a = { filename: "alpha.ts", text: lines("a", 4) };
    const b = { filename: "beta.ts", text: lines("b", 4) };
    const cost = (c: { filename: string; text: string }) => estimateTokens(c.text) + estimateTokens(c.filename) + 4;
    const exact = ring(8, cost(a) + cost(b));
    exact.offer(a);
    exact.offer(b);
    exact.commit();
    expect(names(exact)).toEqual(["alpha.ts", "beta.ts"]);
    const short = ring(8, cost(a) + cost(b) - 1);
    short.offer(a);
    short.offer(b);
    short.commit();
    expect(names(short)).toEqual(["beta.ts"]);
  });

  it("forgets the ring and the queue on clear", () => {
    const r = ring();
    r.offer({ filename: "a.ts", text: lines("a", 4) });
    r.commit();
    r.offer({ filename: "b.ts", text: lines("b", 4) });
    r.clear();
    expect(r.pending).toBe(0);
    expect(r.commit()).toBe(false);
    expect(names(r)).toEqual([]);
  });
});
