// The speculation stage (speculation.ts): the input as it will be once the suggestion is accepted.
import { describe, expect, it } from "vitest";
import { acceptedInput } from "../../../src/core/completion/speculation.js";
import type { CompletionInput } from "../../../src/core/completion/completionSettings.js";

describe("acceptedInput", () => {
  it("inserts the suggestion at the cursor, moves the cursor past it, keeps the rest and asks explicitly", () => {
    const input: CompletionInput = { documentId: "file:///w/a.py", filename: "a.py", text: "def f(x):\n    return \n\nprint(f(2))\n", offset: 21, firstLine: 40 };
    expect(acceptedInput(input, "x * 2")).toEqual({
      documentId: "file:///w/a.py",
      filename: "a.py",
      text: "def f(x):\n    return x * 2\n\nprint(f(2))\n",
      offset: 26,
      firstLine: 40,
      explicit: true,
    });
    // The original input is left as it was.
    expect(input.text).toBe("def f(x):\n    return \n\nprint(f(2))\n");
    expect(input.explicit).toBeUndefined();
  });

  it("an empty suggestion changes only the explicit flag", () => {
    const input: CompletionInput = { documentId: "d", filename: "a.py", text: "ab", offset: 1, explicit: false };
    expect(acceptedInput(input, "")).toEqual({ documentId: "d", filename: "a.py", text: "ab", offset: 1, explicit: true });
  });
});
