import { describe, expect, it } from "vitest";
import { ForegroundGate } from "../../src/engine/foregroundGate.js";

describe("ForegroundGate", () => {
  it("lets background work through at once when nothing runs in the foreground", () => {
    expect(new ForegroundGate().yieldToForeground()).toBeUndefined();
  });

  it("holds background work until every foreground task has finished", async () => {
    const gate = new ForegroundGate();
    const order: string[] = [];
    let finishFirst!: () => void;
    let finishSecond!: () => void;
    const first = gate.run(() => new Promise<void>((resolve) => (finishFirst = resolve)));
    const second = gate.run(() => new Promise<void>((resolve) => (finishSecond = resolve)));
    const background = gate.yieldToForeground()!.then(() => order.push("background"));
    finishFirst();
    await first;
    order.push("first done");
    finishSecond();
    await second;
    await background;
    expect(order).toEqual(["first done", "background"]);
  });

  it("releases waiters when a foreground task fails", async () => {
    const gate = new ForegroundGate();
    const failing = gate.run(async () => {
      await Promise.resolve();
      throw new Error("boom");
    });
    const waiting = gate.yieldToForeground();
    await expect(failing).rejects.toThrow("boom");
    await expect(waiting).resolves.toBeUndefined();
  });
});
