// Q8_0 / Q4_0 block encoders and the f16 conversion, against values worked out by hand from
// llama.cpp's reference code (ggml-quants.c quantize_row_q{4,8}_0_ref, ggml-impl.h fp32→fp16).
import { describe, expect, it } from "vitest";
import { f16BitsToF32, f32ToF16Bits } from "../fixtures/synthetic-model/f16";
import {
  dequantizeRowQ4_0,
  dequantizeRowQ8_0,
  quantizeRowQ4_0,
  quantizeRowQ8_0,
} from "../fixtures/synthetic-model/quantize";

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

function block(values: Record<number, number>): Float32Array {
  const x = new Float32Array(32);
  for (const [i, v] of Object.entries(values)) x[Number(i)] = v;
  return x;
}

describe("f32 → f16", () => {
  it.each([
    [1, 0x3c00],
    [-2, 0xc000],
    [0.1, 0x2e66],
    [65504, 0x7bff], // largest finite half
    [65520, 0x7c00], // halfway to the next power: rounds (to even) up to infinity
    [Infinity, 0x7c00],
    [-0, 0x8000],
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // exactly half of it: ties to even (zero)
    [1.5 * 2 ** -24, 0x0002], // 1.5 units: ties to even (2)
    [0.75 * 2 ** -24, 0x0001],
    [2 ** -14, 0x0400], // smallest normal
    [1 + 2 ** -11, 0x3c00], // halfway between 1 and its successor: even (1)
    [1 + 3 * 2 ** -11, 0x3c02], // halfway between the 1st and 2nd successor: even (2nd)
    [NaN, 0x7e00],
  ])("%d → %s", (value, bits) => {
    expect(f32ToF16Bits(value)).toBe(bits);
  });

  it("round-trips every finite half", () => {
    const wrong: number[] = [];
    for (let h = 0; h < 0x10000; h++) {
      if ((h & 0x7c00) !== 0x7c00 && f32ToF16Bits(f16BitsToF32(h)) !== h) wrong.push(h);
    }
    expect(wrong).toEqual([]);
  });
});

describe("Q8_0", () => {
  it("scales by amax/127 and rounds halves away from zero (C roundf)", () => {
    // amax 127 → d = 1 exactly (f16 0x3c00), so q = roundf(x).
    const x = block({ 0: 127, 1: -2.5, 2: 2.5, 3: -0.5, 4: 0.5, 5: 1.49, 6: -1.51 });
    const out = new Uint8Array(34);
    quantizeRowQ8_0(x, out);
    expect(hex(out.subarray(0, 9))).toBe("003c" + "7f" + "fd" + "03" + "ff" + "01" + "01" + "fe");
    expect(out.subarray(9).every((b) => b === 0)).toBe(true);
  });

  it("stores d = amax/127 as f16", () => {
    // amax 16: d = 0.1259842… → f16 0x3008 (= 0.125 × (1 + 8/1024)); q(-16) = -127, q(15) = round(15·127/16) = 119.
    const x = block({ 0: -16, 1: 15, 2: 8 });
    const out = new Uint8Array(34);
    quantizeRowQ8_0(x, out);
    expect(hex(out.subarray(0, 5))).toBe("0830" + "81" + "77" + "40");
  });

  it("encodes an all-zero block as d = 0, q = 0", () => {
    const out = new Uint8Array(34).fill(0xff);
    quantizeRowQ8_0(new Float32Array(32), out);
    expect(out.every((b) => b === 0)).toBe(true);
  });

  it("dequantizes to within d/2", () => {
    const x = Float32Array.from({ length: 64 }, (_, i) => Math.sin(i) * 3);
    const out = new Uint8Array(68);
    quantizeRowQ8_0(x, out);
    const back = dequantizeRowQ8_0(out, 64);
    for (let i = 0; i < 64; i++) expect(Math.abs(back[i] - x[i])).toBeLessThan((3 / 127) * 0.51 + 1e-3);
  });

  it("writes consecutive blocks at the given offset", () => {
    const out = new Uint8Array(2 + 68);
    quantizeRowQ8_0(block({ 0: 127 }), out, 2);
    expect(hex(out.subarray(2, 5))).toBe("003c7f");
    expect(() => quantizeRowQ8_0(new Float32Array(31), out)).toThrow(/multiple of 32/);
    expect(() => quantizeRowQ8_0(new Float32Array(64), new Uint8Array(67))).toThrow(/too small/);
  });
});

describe("Q4_0", () => {
  it("uses d = max/-8 of the signed largest value; low nibbles = values 0–15, high = 16–31", () => {
    // max = -8 → d = 1 (0x3c00), q = min(15, trunc(x + 8.5)).
    const x = block({
      0: -8, 16: 7, // q 0 | 15
      1: 0, 17: -0.5, // 8 | 8 (x + 8.5 = 8.0)
      2: 0.5, 18: -3.2, // 9 | 5
      3: 7.6, 19: 0.49, // 16.1 → clamped 15 | 8
    });
    const out = new Uint8Array(18);
    quantizeRowQ4_0(x, out);
    expect(hex(out)).toBe("003c" + "f0" + "88" + "59" + "8f" + "88".repeat(12));
  });

  it("flips the scale's sign when the largest value is positive", () => {
    // max = +8 → d = -1 (0xbc00): x = 8 → q 0, x = -8 → 16.5 → clamped 15, x = 2 → 6.
    const x = block({ 5: 8, 6: -8, 21: 2 });
    const out = new Uint8Array(18);
    quantizeRowQ4_0(x, out);
    expect(hex(out.subarray(0, 2))).toBe("00bc");
    expect(out[2 + 5]).toBe(0x60); // value 5 → low nibble 0; value 21 → high nibble 6
    expect(out[2 + 6]).toBe(0x8f); // value 6 → 15; value 22 → 8
    expect(out[2]).toBe(0x88);
  });

  it("encodes an all-zero block as d = -0 (0 / -8 in C) with every nibble 8", () => {
    const out = new Uint8Array(18);
    quantizeRowQ4_0(new Float32Array(32), out);
    expect(hex(out)).toBe("0080" + "88".repeat(16));
  });

  it("dequantizes as d·(q − 8), within one step", () => {
    const x = Float32Array.from({ length: 64 }, (_, i) => Math.cos(i * 0.7) * 2);
    const out = new Uint8Array(36);
    quantizeRowQ4_0(x, out);
    const back = dequantizeRowQ4_0(out, 64);
    for (let b = 0; b < 2; b++) {
      const amax = Math.max(...x.subarray(b * 32, b * 32 + 32).map(Math.abs));
      for (let j = 0; j < 32; j++) expect(Math.abs(back[b * 32 + j] - x[b * 32 + j])).toBeLessThanOrEqual(amax / 8 + 1e-3);
    }
  });
});
