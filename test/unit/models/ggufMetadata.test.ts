import { describe, expect, it } from "vitest";
import { bytesSource, flattenGgufMetadata, GgufFormatError, readGgufHeader, type GgufByteSource } from "../../../src/core/models/ggufMetadata";

const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
const u64 = (v: number | bigint) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return b; };
const str = (s: string) => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);

/** A GGUF v3 header with the given string and u32 values (and raw extra key/values). */
function header(values: Record<string, string | number>, version = 3, options: { tensorCount?: number | bigint; raw?: Buffer[]; tensors?: Buffer[] } = {}): Buffer {
  const raw = options.raw ?? [];
  const parts: Buffer[] = [Buffer.from("GGUF"), u32(version), u64(options.tensorCount ?? options.tensors?.length ?? 0), u64(Object.keys(values).length + raw.length)];
  for (const [key, value] of Object.entries(values)) {
    parts.push(str(key));
    parts.push(typeof value === "string" ? Buffer.concat([u32(8), str(value)]) : Buffer.concat([u32(4), u32(value)]));
  }
  return Buffer.concat([...parts, ...raw, ...(options.tensors ?? [])]);
}

/** An array key/value with a claimed length, followed by `body` bytes. */
const arrayKv = (key: string, itemType: number, count: number | bigint, body = Buffer.alloc(0)) => Buffer.concat([str(key), u32(9), u32(itemType), u64(count), body]);

/** A source that records how many bytes were read. */
function countingSource(bytes: Uint8Array, size = bytes.byteLength): GgufByteSource & { bytesRead: number } {
  const inner = bytesSource(bytes);
  const source = {
    size,
    bytesRead: 0,
    async read(into: Uint8Array, position: number) {
      const n = position >= bytes.byteLength ? Math.min(into.byteLength, size - position) : await inner.read(into, position);
      source.bytesRead += n;
      return n;
    },
  };
  return source;
}

describe("GGUF header reader", () => {
  it("reads strings and numbers by their keys", async () => {
    const parsed = await readGgufHeader(bytesSource(header({ "general.architecture": "deepseek2", "deepseek2.context_length": 163840 })));
    expect(parsed.version).toBe(3);
    expect({ ...parsed.values }).toEqual({ "general.architecture": "deepseek2", "deepseek2.context_length": 163840 });
  });

  it("refuses a cut header, what is not GGUF, and an unknown version", async () => {
    const bytes = header({ "general.architecture": "deepseek2" });
    await expect(readGgufHeader(bytesSource(bytes.subarray(0, bytes.length - 3)))).rejects.toMatchObject({ problem: "truncated" });
    await expect(readGgufHeader(bytesSource(Buffer.from("PK\x03\x04 not a model")))).rejects.toMatchObject({ problem: "notGguf" });
    await expect(readGgufHeader(bytesSource(header({}, 7)))).rejects.toThrow(/unsupported GGUF version 7/);
  });

  it("reads tensor infos with absolute, aligned data offsets", async () => {
    const tensor = Buffer.concat([str("token_embd.weight"), u32(2), u64(128), u64(4), u32(1), u64(64)]);
    const bytes = header({ "general.architecture": "deepseek2" }, 3, { tensors: [tensor] });
    const size = Math.ceil(bytes.length / 32) * 32 + 64 + 128 * 4 * 2;
    const parsed = await readGgufHeader(countingSource(bytes, size), { tensors: true });
    expect(parsed.tensors).toEqual([{ name: "token_embd.weight", dimensions: [128, 4], ggmlType: 1, fileOffset: Math.ceil(bytes.length / 32) * 32 + 64 }]);
  });

  // Issue 19, item 10: the counts in a header are checked against the file before anything is read.
  it("refuses 2^40 tensors at once, in a 60-byte file and in a large one", async () => {
    const small = Buffer.concat([header({}, 3, { tensorCount: 2n ** 40n })]);
    const sixty = Buffer.concat([small, Buffer.alloc(60 - small.length)]);
    for (const size of [60, 73_000_000]) {
      const source = countingSource(sixty, size);
      const error = await readGgufHeader(source, { tensors: true }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GgufFormatError);
      expect((error as Error).message).toMatch(/tensor count is 1099511627776/);
      expect(source.bytesRead).toBeLessThanOrEqual(1 << 20);
    }
    // Under the cap but more than the file can hold.
    await expect(readGgufHeader(bytesSource(header({}, 3, { tensorCount: 100_000 })), { tensors: true })).rejects.toMatchObject({ problem: "truncated" });
  });

  it("refuses an array or a string longer than the bytes left, without allocating it", async () => {
    for (const [type, count] of [[0, 2n ** 40n], [8, 2n ** 40n], [9, 2n ** 40n], [4, 1_000_000]] as const) {
      const bytes = header({ "general.architecture": "deepseek2" }, 3, { raw: [arrayKv("tokenizer.ggml.tokens", type, count, Buffer.alloc(16))] });
      await expect(readGgufHeader(bytesSource(bytes))).rejects.toMatchObject({ problem: "truncated", message: expect.stringContaining("tokenizer.ggml.tokens") });
    }
    const longString = Buffer.concat([str("tokenizer.chat_template"), u32(8), u64(2n ** 40n), Buffer.from("{% x %}")]);
    await expect(readGgufHeader(bytesSource(header({}, 3, { raw: [longString] })))).rejects.toMatchObject({ problem: "truncated" });
  });

  it("stops at the header cap even when the file is large enough", async () => {
    // 100 MB of u8 items in a (sparse) 120 MB file: refused by the 64 MiB cap before a byte of it is read.
    const bytes = header({}, 3, { raw: [arrayKv("junk", 0, 100_000_000)] });
    const source = countingSource(bytes, 120_000_000);
    await expect(readGgufHeader(source)).rejects.toMatchObject({ problem: "tooLarge", message: expect.stringMatching(/64 MiB/) });
    expect(source.bytesRead).toBeLessThanOrEqual(1 << 20);
  });

  it("skips the arrays it is not asked to keep, and keeps the rest within a total budget", async () => {
    const tokens = arrayKv("tokenizer.ggml.tokens", 8, 3, Buffer.concat([str("a"), str("bb"), str("")]));
    const types = arrayKv("tokenizer.ggml.token_type", 5, 3, Buffer.concat([u32(1), u32(1), u32(3)]));
    const bytes = header({ "general.architecture": "deepseek2" }, 3, { raw: [tokens, types] });
    const all = await readGgufHeader(bytesSource(bytes));
    expect(all.values["tokenizer.ggml.tokens"]).toEqual(["a", "bb", ""]);
    expect(all.values["tokenizer.ggml.token_type"]).toEqual([1, 1, 3]);
    const none = await readGgufHeader(bytesSource(bytes), { keepArray: () => false });
    expect(none.values["tokenizer.ggml.tokens"]).toEqual([]);
    expect(none.values["general.architecture"]).toBe("deepseek2");
    const budget = await readGgufHeader(bytesSource(bytes), { limits: { maxKeptItems: 4 } });
    expect(budget.values["tokenizer.ggml.tokens"]).toHaveLength(3);
    expect(budget.values["tokenizer.ggml.token_type"]).toEqual([]);
  });

  it("reads across chunk boundaries", async () => {
    const words = Array.from({ length: 500 }, (_, i) => `token-${i}`);
    const bytes = header({ "general.architecture": "deepseek2" }, 3, { raw: [arrayKv("tokenizer.ggml.tokens", 8, words.length, Buffer.concat(words.map(str)))] });
    for (const keep of [true, false]) {
      const parsed = await readGgufHeader(bytesSource(bytes), { limits: { chunkBytes: 7 }, keepArray: () => keep });
      expect(parsed.values["tokenizer.ggml.tokens"]).toEqual(keep ? words : []);
      expect(parsed.metadataBytes).toBe(bytes.length);
    }
  });

  it("refuses a duplicate key and a tensor ggml could not hold", async () => {
    const dup = header({}, 3, { raw: [Buffer.concat([str("a"), u32(4), u32(1)]), Buffer.concat([str("a"), u32(4), u32(2)])] });
    await expect(readGgufHeader(bytesSource(dup))).rejects.toThrow(/appears twice/);
    const fiveDims = Buffer.concat([str("t"), u32(5), ...Array.from({ length: 5 }, () => u64(1)), u32(0), u64(0)]);
    await expect(readGgufHeader(bytesSource(header({}, 3, { tensors: [fiveDims] })), { tensors: true })).rejects.toThrow(/5 dimensions/);
  });

  it("flattens node-llama-cpp's nested metadata into GGUF keys", () => {
    expect(flattenGgufMetadata({ general: { architecture: "deepseek2" }, tokenizer: { ggml: { tokens: ["a"] }, chat_template: "x" } })).toEqual({
      "general.architecture": "deepseek2",
      "tokenizer.ggml.tokens": ["a"],
      "tokenizer.chat_template": "x",
    });
  });
});
