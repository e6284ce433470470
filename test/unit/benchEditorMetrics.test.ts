// The editor bench's figures from a hand-written probe log (test/bench/editor/metrics.ts).
import { describe, expect, it } from "vitest";
import { figuresOf, insertedText, insertsExactly, type RunLog } from "../bench/editor/metrics";

const run = (over: Partial<RunLog>): RunLog => ({ keys: [], ghosts: [], bursts: [], accepts: [], measuredFrom: 0, keyIntervalMs: 120, pauseMs: 1500, ...over });

describe("editor bench figures", () => {
  it("counts keys followed by a ghost before the next key, leaving out each burst's first key", () => {
    const figures = figuresOf(
      run({
        keys: [
          { t: 0, key: "a" },
          { t: 120, key: "b" },
          { t: 240, key: "c" },
          { t: 360, key: "d" },
          { t: 2000, key: "Tab" },
        ],
        ghosts: [
          { t: 200, ghost: "cde", atCursor: true }, // after "b"
          { t: 245, ghost: "de", atCursor: true }, // "c" typed through it
          { t: 700, ghost: "xyz", atCursor: false }, // after the last key: 340 ms into the pause
        ],
        bursts: [{ firstKey: 0, lastKey: 3 }],
      }),
    );
    expect(figures.keystrokes).toBe(3);
    expect(figures.withGhost).toBe(2);
    expect(figures.withNewGhost).toBe(1);
    expect(figures.pauseToGhostMs).toEqual([340]);
    expect(figures.pausesWithoutGhost).toBe(0);
    expect(figures.lateGhosts).toBe(1);
  });

  it("counts a pause without a ghost as its whole length", () => {
    const figures = figuresOf(run({ keys: [{ t: 0, key: "a" }, { t: 120, key: "b" }], bursts: [{ firstKey: 0, lastKey: 1 }] }));
    expect(figures.pauseToGhostMs).toEqual([1500]);
    expect(figures.pausesWithoutGhost).toBe(1);
  });

  it("checks that Tab inserted exactly the shown ghost at one place", () => {
    expect(insertsExactly("let a = ;\n", "let a = 1 + 1;\n", "1 + 1")).toBe(true);
    expect(insertsExactly("aa", "aaaa", "aa")).toBe(true);
    expect(insertsExactly("let a = ;\n", "let a = 1 + 2;\n", "1 + 1")).toBe(false);
    // A tab in the suggestion is drawn as spaces in the ghost text.
    expect(insertsExactly("x = ;", "x = (a\tb);", "(a   b)")).toBe(true);
    expect(insertsExactly("x = ;", "x = (a\tb);", "(a b c)")).toBe(false);
    expect(insertsExactly("x = ;", "x = (a\tb);", "(a\tb")).toBe(false);
    expect(insertedText("let a = ;\n", "let a = 1 + 2;\n")).toBe("1 + 2");
    expect(insertedText("abc", "xbc")).toBeUndefined();
  });
});
