// Our encoders against llama.cpp's own reference quantizers, compiled from the sources bundled with
// node-llama-cpp (test/fixtures/synthetic-model/llama-reference/quant-ref.c; built once and cached).
// Skipped where git or a C compiler is missing.
import { beforeAll, describe, expect, it } from "vitest";
import { f32ToF16Bits } from "../fixtures/synthetic-model/f16";
import { buildQuantReference, runQuantReference } from "../fixtures/synthetic-model/llama-reference/quant-ref";
import { Prng } from "../fixtures/synthetic-model/prng";
import {
  Q4_0_BLOCK_BYTES,
  Q8_0_BLOCK_BYTES,
  dequantizeRowQ4_0,
  dequantizeRowQ8_0,
  quantizeRowQ4_0,
  quantizeRowQ8_0,
} from "../fixtures/synthetic-model/quantize";

let binary: string | undefined;

beforeAll(async () => {
  binary = await buildQuantReference();
}, 600_000);

/** Random blocks of several magnitudes, plus blocks full of rounding ties and edge cases. */
function testValues(): Float32Array {
  const prng = new Prng(42, "quantize-reference");
  const random = new Float32Array(32 * 256);
  for (let b = 0; b < 256; b++) {
    prng.fillUniform(random, 10 ** ((b % 9) - 4), b * 32, b * 32 + 32);
  }
  const special = [
    new Float32Array(32), // zeros
    Float32Array.from({ length: 32 }, (_, i) => (i - 16) / 2), // Q8_0 ties after scaling, Q4_0 halves
    Float32Array.from({ length: 32 }, (_, i) => (i % 2 ? 1 : -1) * (i + 0.5)),
    Float32Array.from({ length: 32 }, (_, i) => (i === 7 ? 8 : i === 9 ? -8 : i / 4)), // ±max tie: first wins
    Float32Array.from({ length: 32 }, (_, i) => 1e-7 * (i - 3)), // subnormal-range scales
    Float32Array.from({ length: 32 }, (_, i) => 60000 + i * 100), // scale overflow in f16
  ];
  const all = new Float32Array(random.length + special.length * 32);
  all.set(random);
  special.forEach((s, i) => all.set(s, random.length + i * 32));
  return all;
}

const bytesOf = (x: Float32Array): Uint8Array => new Uint8Array(x.buffer, x.byteOffset, x.byteLength);

describe("encoders match llama.cpp's reference code byte for byte", () => {
  const values = testValues();
  const blocks = values.length / 32;

  it("Q8_0", async ({ skip }) => {
    if (!binary) return skip("no git or C compiler");
    const ours = new Uint8Array(blocks * Q8_0_BLOCK_BYTES);
    quantizeRowQ8_0(values, ours);
    const theirs = await runQuantReference(binary, "q8_0", bytesOf(values));
    expect(Buffer.from(ours).equals(theirs)).toBe(true);
    const dq = await runQuantReference(binary, "dq8_0", ours);
    expect(Buffer.from(bytesOf(dequantizeRowQ8_0(ours, values.length))).equals(dq)).toBe(true);
  });

  it("Q4_0", async ({ skip }) => {
    if (!binary) return skip("no git or C compiler");
    const ours = new Uint8Array(blocks * Q4_0_BLOCK_BYTES);
    quantizeRowQ4_0(values, ours);
    const theirs = await runQuantReference(binary, "q4_0", bytesOf(values));
    expect(Buffer.from(ours).equals(theirs)).toBe(true);
    const dq = await runQuantReference(binary, "dq4_0", ours);
    expect(Buffer.from(bytesOf(dequantizeRowQ4_0(ours, values.length))).equals(dq)).toBe(true);
  });

  it("F16", async ({ skip }) => {
    if (!binary) return skip("no git or C compiler");
    // Every f16 neighbourhood: the exact values, their midpoints and points just off them.
    const probe = new Float32Array(0x10000 * 3);
    const view = new DataView(new ArrayBuffer(4));
    for (let h = 0; h < 0x10000; h++) {
      view.setUint32(0, ((h & 0x8000) << 16) | (((h >> 10) & 0x1f) + 112) << 23 | ((h & 0x3ff) << 13));
      const x = view.getFloat32(0);
      probe[3 * h] = x;
      probe[3 * h + 1] = x * (1 + 2 ** -11);
      probe[3 * h + 2] = x * (1 + 2 ** -12) + 2 ** -26;
    }
    const theirs = await runQuantReference(binary, "f16", bytesOf(probe));
    const ours = new Uint16Array(probe.length);
    for (let i = 0; i < probe.length; i++) ours[i] = f32ToF16Bits(probe[i]);
    expect(Buffer.from(ours.buffer).equals(theirs)).toBe(true);
  });
});
