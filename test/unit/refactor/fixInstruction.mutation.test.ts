// "Fix with DeepSeek" at its edges: the quoted problem is exactly the reported message on one line,
// and the cut happens only past 500 characters. Written for the mutants the first tests let live
// (docs/mutation.md).
import { describe, expect, it } from "vitest";
import { fixInstruction } from "../../../src/core/refactor/fixInstruction.js";

const quoted = (instruction: string) => /: "(.*)"\. Change only/s.exec(instruction)![1];

describe("fixInstruction edges", () => {
  it("quotes the message without the whitespace around it", () => {
    // Linters pad messages; the model should see the message, not stray spaces inside the quotes.
    expect(quoted(fixInstruction("  \n 'x' is never read. \n\t", 4))).toBe("'x' is never read.");
  });

  it("turns each run of whitespace into one space", () => {
    expect(quoted(fixInstruction("a\t\tb   c\r\n\r\nd", 1))).toBe("a b c d");
  });

  it("keeps a message of exactly 500 characters whole and cuts one of 501 to 500 and an ellipsis", () => {
    const exact = "m".repeat(500);
    expect(quoted(fixInstruction(exact, 1))).toBe(exact);
    expect(quoted(fixInstruction(`${exact}z`, 1))).toBe(`${exact}…`);
  });
});
