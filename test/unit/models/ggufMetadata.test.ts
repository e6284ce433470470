import { describe, expect, it } from "vitest";
import { flattenGgufMetadata, GgufFormatError, GgufIncompleteError, parseGgufMetadata } from "../../../src/core/models/ggufMetadata";

/** A GGUF v3 header with the given string and u32 values. */
function header(values: Record<string, string | number>, version = 3): Uint8Array {
  const parts: Buffer[] = [Buffer.from("GGUF")];
  const u32 = (v: number) => { const b = Buffer.alloc(4); b.writeUInt32LE(v); return b; };
  const u64 = (v: number) => { const b = Buffer.alloc(8); b.writeBigUInt64LE(BigInt(v)); return b; };
  const str = (s: string) => Buffer.concat([u64(Buffer.byteLength(s)), Buffer.from(s)]);
  parts.push(u32(version), u64(0), u64(Object.keys(values).length));
  for (const [key, value] of Object.entries(values)) {
    parts.push(str(key));
    parts.push(typeof value === "string" ? Buffer.concat([u32(8), str(value)]) : Buffer.concat([u32(4), u32(value)]));
  }
  return Buffer.concat(parts);
}

describe("GGUF metadata parser", () => {
  it("reads strings and numbers by their keys", () => {
    const parsed = parseGgufMetadata(header({ "general.architecture": "deepseek2", "deepseek2.context_length": 163840 }));
    expect(parsed.version).toBe(3);
    expect(parsed.values).toEqual({ "general.architecture": "deepseek2", "deepseek2.context_length": 163840 });
  });

  it("asks for more bytes when the header is cut, and rejects what is not GGUF", () => {
    const bytes = header({ "general.architecture": "deepseek2" });
    expect(() => parseGgufMetadata(bytes.subarray(0, bytes.length - 3))).toThrow(GgufIncompleteError);
    expect(() => parseGgufMetadata(Buffer.from("PK\x03\x04 not a model"))).toThrow(GgufFormatError);
    expect(() => parseGgufMetadata(header({}, 7))).toThrow(/unsupported GGUF version 7/);
  });

  it("flattens node-llama-cpp's nested metadata into GGUF keys", () => {
    expect(flattenGgufMetadata({ general: { architecture: "deepseek2" }, tokenizer: { ggml: { tokens: ["a"] }, chat_template: "x" } })).toEqual({
      "general.architecture": "deepseek2",
      "tokenizer.ggml.tokens": ["a"],
      "tokenizer.chat_template": "x",
    });
  });
});
