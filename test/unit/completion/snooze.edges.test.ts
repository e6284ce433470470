// Edges of the snooze clock that the mutation run (issue 24, docs/mutation.md) showed untested: the
// refusal says which length it refused, an endless snooze is refused, and the menu's lengths.
import { describe, expect, it } from "vitest";
import { SnoozeClock, snoozeMinutes } from "../../../src/core/completion/snooze.js";

describe("SnoozeClock edges", () => {
  it("names the refused length, and refuses a negative or endless one", () => {
    const clock = new SnoozeClock(() => 0);
    expect(() => clock.snooze(-5)).toThrow("snooze length must be a positive number of minutes, not -5");
    expect(() => clock.snooze(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(clock.snoozed).toBe(false);
  });

  it("offers 5 minutes, a quarter of an hour and an hour, each one a length it accepts", () => {
    expect([...snoozeMinutes]).toEqual([5, 15, 60]);
    const clock = new SnoozeClock(() => 0);
    for (const minutes of snoozeMinutes) expect(clock.snooze(minutes)).toBe(minutes * 60_000);
  });
});
