import { describe, expect, it } from "vitest";
import { ExtraContextRing, chunkAround, chunkSimilarity } from "../../../src/core/completion/extraContextRing.js";

const goChunk = "func Sum(xs []int) int {\n\ttotal := 0\n\tfor _, x := range xs {\n\t\ttotal += x\n\t}\n\treturn total\n}\n";
const pyChunk = "class Stack:\n    def __init__(self):\n        self.items = []\n\n    def push(self, x):\n        self.items.append(x)\n";
const tsChunk = "export interface User {\n  id: string;\n  name: string;\n  email: string;\n}\n";

describe("chunkSimilarity / chunkAround", () => {
  it("measures shared non-blank lines", () => {
    expect(chunkSimilarity(goChunk, goChunk)).toBe(1);
    expect(chunkSimilarity(goChunk, pyChunk)).toBe(0);
    const edited = goChunk.replace("total += x", "total += x * 2");
    expect(chunkSimilarity(goChunk, edited)).toBeGreaterThan(0.5);
  });
  it("takes the lines around a line, clamped to the file", () => {
    const text = Array.from({ length: 100 }, (_, i) => `line ${i}`).join("\n");
    expect(chunkAround(text, 50, 4)).toBe("line 48\nline 49\nline 50\nline 51");
    expect(chunkAround(text, 0, 3)).toBe("line 0\nline 1\nline 2");
    expect(chunkAround(text, 99, 3)).toBe("line 97\nline 98\nline 99");
  });
});

describe("ExtraContextRing", () => {
  const ring = (maxChunks = 8, maxTokens = 1000) => new ExtraContextRing(() => ({ maxChunks, maxTokens }));

  it("changes the header only on commit, oldest chunk first", () => {
    const r = ring();
    r.offer({ filename: "sum.go", text: goChunk });
    expect(r.chunksFor("main.ts")).toEqual([]);
    expect(r.commit()).toBe(true);
    r.offer({ filename: "stack.py", text: pyChunk });
    expect(r.chunksFor("main.ts").map((c) => c.filename)).toEqual(["sum.go"]);
    expect(r.commit()).toBe(true);
    expect(r.chunksFor("main.ts").map((c) => c.filename)).toEqual(["sum.go", "stack.py"]);
    expect(r.commit()).toBe(false);
  });

  it("leaves out the file being completed", () => {
    const r = ring();
    r.offer({ filename: "sum.go", text: goChunk });
    r.offer({ filename: "user.ts", text: tsChunk });
    r.commit();
    expect(r.chunksFor("user.ts").map((c) => c.filename)).toEqual(["sum.go"]);
  });

  it("replaces a similar chunk (an edited region) and ignores exact repeats and tiny chunks", () => {
    const r = ring();
    r.offer({ filename: "sum.go", text: goChunk });
    r.commit();
    r.offer({ filename: "sum.go", text: goChunk });
    expect(r.pending).toBe(0);
    r.offer({ filename: "x.go", text: "}\n" });
    expect(r.pending).toBe(0);
    const edited = goChunk.replace("total += x", "total += x * 2");
    r.offer({ filename: "sum.go", text: edited });
    r.commit();
    expect(r.chunksFor("main.ts")).toEqual([{ filename: "sum.go", text: edited }]);
  });

  it("keeps the newest chunks within the chunk count and the token budget", () => {
    const r = ring(2);
    for (const [name, text] of [["sum.go", goChunk], ["stack.py", pyChunk], ["user.ts", tsChunk]] as const) r.offer({ filename: name, text });
    r.commit();
    expect(r.chunksFor("main.rs").map((c) => c.filename)).toEqual(["stack.py", "user.ts"]);
    const small = new ExtraContextRing(() => ({ maxChunks: 8, maxTokens: 40 }));
    small.offer({ filename: "sum.go", text: goChunk });
    small.offer({ filename: "user.ts", text: tsChunk });
    small.commit();
    expect(small.chunksFor("main.rs").map((c) => c.filename)).toEqual(["user.ts"]);
  });
});

describe("ExtraContextRing privacy (issue 19)", () => {
  it("drops a chunk that holds a recognisable secret", () => {
    const r = new ExtraContextRing(() => ({ maxChunks: 8, maxTokens: 1000 }));
    const keyBlock = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\nAAAAAAAAAAEAAAAzAAAAC3NzaC1lZDI1NTE5AAAAI\n-----END OPENSSH PRIVATE KEY-----\n";
    const awsConfig = "const client = new S3({\n  accessKeyId: \"AKIAIOSFODNN7EXAMPLE\",\n  region: \"eu-west-1\",\n});\n";
    r.offer({ filename: "notes.txt", text: keyBlock });
    r.offer({ filename: "s3.ts", text: awsConfig });
    r.offer({ filename: "sum.go", text: goChunk });
    r.commit();
    expect(r.chunksFor("main.ts").map((c) => c.filename)).toEqual(["sum.go"]);
  });

  it("keeps no chunk when extra context is set to 0 chunks, even ones already in the ring", () => {
    let maxChunks = 8;
    const r = new ExtraContextRing(() => ({ maxChunks, maxTokens: 1000 }));
    r.offer({ filename: "sum.go", text: goChunk });
    r.commit();
    maxChunks = 0;
    expect(r.chunksFor("main.ts")).toEqual([]);
    r.offer({ filename: "stack.py", text: pyChunk });
    r.commit();
    expect(r.chunksFor("main.ts")).toEqual([]);
  });
});
