import { describe, expect, it } from "vitest";
import { ProgressMeter, describeProgress, formatBytes, formatDuration } from "../../../src/core/models/download/progressMeter";

describe("download progress", () => {
  it("measures speed over a sliding window and the time left", () => {
    const meter = new ProgressMeter(5000);
    expect(meter.bytesPerSecond).toBe(0);
    meter.sample(0, 0);
    meter.sample(1000, 10_000_000);
    expect(meter.bytesPerSecond).toBe(10_000_000);
    const progress = meter.progress(10_000_000, 110_000_000);
    expect(progress.etaSeconds).toBe(10);
    // After a slowdown the old fast samples leave the window.
    for (let t = 2000; t <= 12_000; t += 1000) meter.sample(t, 10_000_000 + (t - 1000) * 1000);
    expect(meter.bytesPerSecond).toBeCloseTo(1_000_000, -3);
  });

  it("has no ETA without a size or a speed, and restarts the window when the bytes go back to zero", () => {
    const meter = new ProgressMeter();
    meter.sample(0, 0);
    meter.sample(1000, 5000);
    expect(meter.progress(5000, null).etaSeconds).toBeNull();
    meter.sample(2000, 0);
    expect(meter.bytesPerSecond).toBe(0);
  });

  it("describes progress for the notification", () => {
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(10_360_000_000)).toBe("10.4 GB");
    expect(formatDuration(362)).toBe("6 min 2 s");
    expect(formatDuration(7300)).toBe("2 h 1 min");
    expect(describeProgress({ phase: "downloading", receivedBytes: 1.2e9, totalBytes: 10.4e9, bytesPerSecond: 25.3e6, etaSeconds: 362 })).toBe(
      "1.2 GB of 10.4 GB · 25.3 MB/s · 6 min 2 s left",
    );
    expect(describeProgress({ phase: "verifying", receivedBytes: 10, totalBytes: 10, bytesPerSecond: 0, etaSeconds: null })).toMatch(/verifying/);
  });
});
