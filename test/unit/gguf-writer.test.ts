// The GGUF v3 writer behind the synthetic model: header, typed metadata, tensor infos, alignment,
// streamed data. Bytes are checked by hand against the format (ggml/docs/gguf.md).
import { mkdtemp, readFile, readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GgmlType, rowBytes, tensorBytes } from "../fixtures/synthetic-model/ggml-types";
import {
  GGUF_MAGIC,
  type GgufKeyValue,
  type GgufTensorSource,
  encodeGgufHeader,
  gguf,
  writeGgufFile,
} from "../fixtures/synthetic-model/gguf-writer";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "gguf-writer-test-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A tiny cursor over little-endian bytes. */
function reader(buffer: Buffer) {
  let at = 0;
  return {
    get at() {
      return at;
    },
    u8: () => buffer.readUInt8((at += 1) - 1),
    u32: () => buffer.readUInt32LE((at += 4) - 4),
    i32: () => buffer.readInt32LE((at += 4) - 4),
    f32: () => buffer.readFloatLE((at += 4) - 4),
    u64: () => Number(buffer.readBigUInt64LE((at += 8) - 8)),
    str: () => {
      const n = Number(buffer.readBigUInt64LE(at));
      at += 8 + n;
      return buffer.toString("utf8", at - n, at);
    },
  };
}

function source(name: string, dims: number[], type: GgmlType, fill: number): GgufTensorSource {
  return { name, dims, type, chunks: () => [new Uint8Array(tensorBytes(type, dims)).fill(fill)] };
}

describe("GGUF header", () => {
  it("starts with the magic, version 3, tensor and metadata counts", () => {
    const { header } = encodeGgufHeader([{ key: "general.architecture", value: gguf.str("deepseek2") }], []);
    const r = reader(header);
    expect(header.subarray(0, 4).toString("latin1")).toBe("GGUF");
    expect(r.u32()).toBe(GGUF_MAGIC);
    expect(r.u32()).toBe(3);
    expect(r.u64()).toBe(0);
    expect(r.u64()).toBe(1);
    expect(r.str()).toBe("general.architecture");
    expect(r.u32()).toBe(8); // STRING
    expect(r.str()).toBe("deepseek2");
  });

  it("writes each metadata type with its type code and little-endian value", () => {
    const metadata: GgufKeyValue[] = [
      { key: "a.u32", value: gguf.u32(0xdeadbeef) },
      { key: "a.i32", value: gguf.i32(-5) },
      { key: "a.f32", value: gguf.f32(1.5) },
      { key: "a.bool", value: gguf.bool(true) },
      { key: "a.u64", value: gguf.u64(2n ** 40n) },
      { key: "a.u8", value: { type: "uint8", value: 200 } },
      { key: "a.strings", value: gguf.strings(["x", "éé"]) },
      { key: "a.i32s", value: gguf.i32s([1, -1]) },
    ];
    const { header } = encodeGgufHeader(metadata, []);
    const r = reader(header);
    r.u32(), r.u32(), r.u64(), r.u64();
    expect([r.str(), r.u32(), r.u32()]).toEqual(["a.u32", 4, 0xdeadbeef]);
    expect([r.str(), r.u32(), r.i32()]).toEqual(["a.i32", 5, -5]);
    expect([r.str(), r.u32(), r.f32()]).toEqual(["a.f32", 6, 1.5]);
    expect([r.str(), r.u32(), r.u8()]).toEqual(["a.bool", 7, 1]);
    expect([r.str(), r.u32(), r.u64()]).toEqual(["a.u64", 10, 2 ** 40]);
    expect([r.str(), r.u32(), r.u8()]).toEqual(["a.u8", 0, 200]);
    // Arrays: type ARRAY (9), item type, count, items.
    expect([r.str(), r.u32(), r.u32(), r.u64(), r.str(), r.str()]).toEqual(["a.strings", 9, 8, 2, "x", "éé"]);
    expect([r.str(), r.u32(), r.u32(), r.u64(), r.i32(), r.i32()]).toEqual(["a.i32s", 9, 5, 2, 1, -1]);
    // Nothing after the last key but the padding to 32 bytes.
    expect(header.length % 32).toBe(0);
    expect(header.subarray(r.at).every((b) => b === 0)).toBe(true);
  });

  it("rejects values llama.cpp would misread", () => {
    expect(() => encodeGgufHeader([{ key: "k", value: gguf.u32(-1) }], [])).toThrow(/not a valid uint32/);
    expect(() => encodeGgufHeader([{ key: "k", value: gguf.u32(1.5) }], [])).toThrow(/not a valid uint32/);
    expect(() => encodeGgufHeader([{ key: "k", value: gguf.u32(2 ** 32) }], [])).toThrow(/not a valid uint32/);
    expect(() =>
      encodeGgufHeader([{ key: "k", value: gguf.u32(1) }, { key: "k", value: gguf.u32(2) }], []),
    ).toThrow(/duplicate metadata key/);
    expect(() => encodeGgufHeader([], [{ name: "t", dims: [0], type: GgmlType.F32 }])).toThrow(/bad dims/);
    expect(() => encodeGgufHeader([], [{ name: "t", dims: [48, 2], type: GgmlType.Q8_0 }])).toThrow(/multiple of the Q8_0 block size/);
  });

  it("lays tensors out at aligned offsets relative to an aligned data section", () => {
    const tensors = [
      { name: "norm", dims: [3], type: GgmlType.F32 }, // 12 bytes
      { name: "q8", dims: [64, 2], type: GgmlType.Q8_0 }, // 2 rows × 2 blocks × 34 = 136 bytes
      { name: "q4", dims: [32, 3, 2], type: GgmlType.Q4_0 }, // 6 rows × 18 = 108 bytes
      { name: "f16", dims: [5], type: GgmlType.F16 }, // 10 bytes
    ];
    const { header, layout } = encodeGgufHeader([], tensors);
    expect(layout.tensorOffsets).toEqual([0, 32, 192, 320]);
    expect(layout.dataOffset % 32).toBe(0);
    expect(header.length).toBe(layout.dataOffset);
    expect(layout.fileBytes).toBe(layout.dataOffset + 320 + 10);

    const r = reader(header);
    r.u32(), r.u32();
    expect(r.u64()).toBe(4);
    expect(r.u64()).toBe(0);
    expect([r.str(), r.u32(), r.u64(), r.u32(), r.u64()]).toEqual(["norm", 1, 3, GgmlType.F32, 0]);
    expect([r.str(), r.u32(), r.u64(), r.u64(), r.u32(), r.u64()]).toEqual(["q8", 2, 64, 2, 8, 32]);
    expect([r.str(), r.u32(), r.u64(), r.u64(), r.u64(), r.u32(), r.u64()]).toEqual(["q4", 3, 32, 3, 2, 2, 192]);
    expect([r.str(), r.u32(), r.u64(), r.u32(), r.u64()]).toEqual(["f16", 1, 5, 1, 320]);
    expect(r.at).toBe(layout.headerBytes);
  });

  it("honours general.alignment", () => {
    const { layout } = encodeGgufHeader(
      [{ key: "general.alignment", value: gguf.u32(64) }],
      [
        { name: "a", dims: [3], type: GgmlType.F32 },
        { name: "b", dims: [3], type: GgmlType.F32 },
      ],
    );
    expect(layout.dataOffset % 64).toBe(0);
    expect(layout.tensorOffsets).toEqual([0, 64]);
    expect(() => encodeGgufHeader([{ key: "general.alignment", value: gguf.u32(12) }], [])).toThrow(/alignment/);
  });

  it("sizes rows by blocks", () => {
    expect(rowBytes(GgmlType.F32, 10)).toBe(40);
    expect(rowBytes(GgmlType.F16, 10)).toBe(20);
    expect(rowBytes(GgmlType.Q8_0, 64)).toBe(68);
    expect(rowBytes(GgmlType.Q4_0, 64)).toBe(36);
    expect(tensorBytes(GgmlType.Q4_0, [2048, 1408, 64])).toBe(2048 / 32 * 18 * 1408 * 64);
  });
});

describe("writeGgufFile", () => {
  it("streams each tensor's bytes to its offset, zero padding between", async () => {
    const file = path.join(dir, "small.gguf");
    const tensors = [source("a", [3], GgmlType.F32, 0xaa), source("b", [32, 2], GgmlType.Q4_0, 0xbb)];
    const layout = await writeGgufFile(file, [{ key: "general.architecture", value: gguf.str("test") }], tensors);
    const bytes = await readFile(file);
    expect(bytes.length).toBe(layout.fileBytes);
    const a = layout.dataOffset + layout.tensorOffsets[0];
    const b = layout.dataOffset + layout.tensorOffsets[1];
    expect(bytes.subarray(a, a + 12).every((x) => x === 0xaa)).toBe(true);
    expect(bytes.subarray(a + 12, b).every((x) => x === 0)).toBe(true);
    expect(bytes.subarray(b, b + 36).every((x) => x === 0xbb)).toBe(true);
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("fails on a tensor of the wrong size and leaves neither the file nor a temporary behind", async () => {
    const file = path.join(dir, "bad.gguf");
    const short: GgufTensorSource = { name: "x", dims: [32], type: GgmlType.F32, chunks: () => [new Uint8Array(100)] };
    await expect(writeGgufFile(file, [], [short])).rejects.toThrow(/gave 100 of 128 bytes/);
    const entries = await readdir(dir);
    expect(entries).not.toContain("bad.gguf");
    expect(entries.filter((f) => f.includes("bad.gguf"))).toEqual([]);
  });

  it("can leave the data part as a sparse hole", async () => {
    const file = path.join(dir, "sparse.gguf");
    const dims = [4096, 4096, 16]; // 512 MiB of F16
    const layout = await writeGgufFile(file, [], [{ name: "big", dims, type: GgmlType.F16, chunks: () => [] }], {
      sparseData: true,
    });
    const info = await stat(file);
    expect(info.size).toBe(layout.fileBytes);
    expect(info.size).toBeGreaterThan(512 * 2 ** 20);
    expect(info.blocks * 512).toBeLessThan(2 ** 20);
  });
});
