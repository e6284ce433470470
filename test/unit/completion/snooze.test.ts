// The snooze clock: ghost text off for a chosen number of minutes, back by itself when they pass.
import { describe, expect, it } from "vitest";
import { SnoozeClock, clockTime } from "../../../src/core/completion/snooze.js";

describe("SnoozeClock", () => {
  it("is snoozed until the chosen minutes pass, then not", () => {
    let now = 1_000_000;
    const clock = new SnoozeClock(() => now);
    expect(clock.snoozed).toBe(false);
    expect(clock.snooze(15)).toBe(1_000_000 + 15 * 60_000);
    now += 15 * 60_000 - 1;
    expect(clock.snoozed).toBe(true);
    expect(clock.until).toBe(1_000_000 + 15 * 60_000);
    now += 1;
    expect(clock.snoozed).toBe(false);
    expect(clock.until).toBeUndefined();
  });

  it("lets a later snooze replace an earlier one, and resume end it", () => {
    let now = 0;
    const clock = new SnoozeClock(() => now);
    clock.snooze(60);
    now = 60_000;
    expect(clock.snooze(5)).toBe(60_000 + 5 * 60_000);
    clock.resume();
    expect(clock.snoozed).toBe(false);
  });

  it("refuses a length that is not a positive number of minutes", () => {
    const clock = new SnoozeClock(() => 0);
    expect(() => clock.snooze(0)).toThrow(RangeError);
    expect(() => clock.snooze(Number.NaN)).toThrow(RangeError);
    expect(clock.snoozed).toBe(false);
  });
});

describe("clockTime", () => {
  it("says the local time as HH:MM", () => {
    expect(clockTime(new Date(2026, 11, 6, 9, 5, 59).getTime())).toBe("09:05");
    expect(clockTime(new Date(2026, 11, 6, 23, 40).getTime())).toBe("23:40");
  });
});
