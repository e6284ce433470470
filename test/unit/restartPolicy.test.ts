import { describe, expect, it } from "vitest";
import { RestartPolicy } from "../../src/supervisor/restartPolicy.js";

describe("RestartPolicy", () => {
  const options = { maxCrashes: 3, windowMs: 60_000, baseDelayMs: 100, maxDelayMs: 300 };

  it("backs off exponentially up to the cap, then gives up within the window", () => {
    const policy = new RestartPolicy(options);
    expect(policy.onCrash(0)).toEqual({ restart: true, delayMs: 100, attempt: 1 });
    expect(policy.onCrash(1_000)).toEqual({ restart: true, delayMs: 200, attempt: 2 });
    expect(policy.onCrash(2_000)).toEqual({ restart: false, crashes: 3 });
  });

  it("forgets crashes older than the window", () => {
    const policy = new RestartPolicy(options);
    policy.onCrash(0);
    policy.onCrash(1_000);
    expect(policy.onCrash(120_000)).toEqual({ restart: true, delayMs: 100, attempt: 1 });
  });

  it("starts a fresh history after reset", () => {
    const policy = new RestartPolicy(options);
    policy.onCrash(0);
    policy.onCrash(1);
    policy.reset();
    expect(policy.onCrash(2)).toMatchObject({ restart: true, attempt: 1 });
  });

  it("caps the delay", () => {
    const policy = new RestartPolicy({ ...options, maxCrashes: 10 });
    const delays = [0, 1, 2, 3].map((t) => policy.onCrash(t)).map((d) => (d.restart ? d.delayMs : -1));
    expect(delays).toEqual([100, 200, 300, 300]);
  });
});
