import { describe, expect, it } from "vitest";
import { measureReadBandwidth } from "../bench/util/bandwidth";

describe("measureReadBandwidth", () => {
  it("reads the buffer with the threads asked for, and reports each run's rate", async () => {
    for (const threads of [1, 3]) {
      const r = await measureReadBandwidth({ bytes: 48 << 20, runs: 3, threads });
      expect(r).toMatchObject({ threads, runs: 3, bytes: 48 << 20 });
      expect(Number.isFinite(r.bestGBps) && r.bestGBps > 0).toBe(true);
      expect(r.bestGBps).toBeGreaterThanOrEqual(r.medianGBps);
    }
  });
});
