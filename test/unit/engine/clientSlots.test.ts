// Which sequences each window uses on a shared engine.
import { describe, expect, it } from "vitest";
import { ClientSlots } from "../../../src/engine/clientSlots.js";

describe("ClientSlots", () => {
  it("gives each client a slot of its own while there are free ones", () => {
    const slots = new ClientSlots(3);
    expect([slots.take(), slots.take(), slots.take()]).toEqual([0, 1, 2]);
  });

  it("past the cap, shares the slot with the fewest users, and reuses a freed slot first", () => {
    const slots = new ClientSlots(2);
    expect([slots.take(), slots.take(), slots.take(), slots.take()]).toEqual([0, 1, 0, 1]);
    slots.release(1);
    slots.release(1);
    expect(slots.usersOf(1)).toBe(0);
    expect(slots.take()).toBe(1);
    slots.release(1);
    slots.release(1);
    expect(slots.usersOf(1)).toBe(0);
  });
});
