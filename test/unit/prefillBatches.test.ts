import { describe, expect, it } from "vitest";
import { prefillBatchEnd } from "../../src/core/generation/prefillBatches";

/** All batches of one prompt evaluation, as the engine cuts them. */
function batches(start: number, upTo: number, batchSize: number, stopAt = 0): [number, number][] {
  const out: [number, number][] = [];
  while (start < upTo) {
    const end = prefillBatchEnd(start, upTo, batchSize, stopAt);
    expect(end).toBeGreaterThan(start);
    out.push([start, end]);
    start = end;
  }
  return out;
}

describe("prefillBatchEnd", () => {
  it("cuts a cold prompt into full batches", () => {
    expect(batches(0, 700, 256)).toEqual([[0, 256], [256, 512], [512, 700]]);
  });

  it("ends the batches of a prompt that starts after reused tokens on batch multiples", () => {
    // Without alignment: [5, 261), [261, 517), … each crossing a 256-cell boundary.
    expect(batches(5, 1310, 256)).toEqual([[5, 256], [256, 512], [512, 768], [768, 1024], [1024, 1280], [1280, 1310]]);
  });

  it("evaluates a rest shorter than one batch in one call, wherever it starts", () => {
    // A typed character: the changed tokens and the suffix, one batch even across a boundary.
    expect(batches(1240, 1330, 256)).toEqual([[1240, 1330]]);
    expect(batches(250, 506, 256)).toEqual([[250, 506]]);
  });

  it("ends a batch where the stable prefix is saved", () => {
    expect(batches(0, 700, 256, 300)).toEqual([[0, 256], [256, 300], [300, 512], [512, 700]]);
    expect(batches(10, 100, 256, 40)).toEqual([[10, 40], [40, 100]]);
  });

  it("ignores a save point outside the batch", () => {
    expect(batches(300, 700, 256, 100)).toEqual([[300, 512], [512, 700]]);
  });
});
