// "Fix with DeepSeek": the reported problem becomes the instruction, quoted, on one line, bounded.
import { describe, expect, it } from "vitest";
import { fixInstruction } from "../../../src/core/refactor/fixInstruction.js";

describe("fixInstruction", () => {
  it("quotes the problem and says where it was reported", () => {
    const instruction = fixInstruction("Type 'string' is not assignable to type 'number'.", 2);
    expect(instruction).toContain(`reported at line 2: "Type 'string' is not assignable to type 'number'."`);
    expect(instruction).toMatch(/Change only what the fix needs/);
  });

  it("puts a message of several lines on one", () => {
    expect(fixInstruction("Argument of type 'x'\n  is not assignable\n\tto 'y'.", 7)).toContain(`"Argument of type 'x' is not assignable to 'y'."`);
  });

  it("cuts a very long message", () => {
    const instruction = fixInstruction("e".repeat(5000), 1);
    expect(instruction.length).toBeLessThan(700);
    expect(instruction).toContain("e…\"");
  });
});
