// The suggest widget's selected item at the edges of the text and the cursor (selectedItem.ts):
// an item VS Code may offer must be accepted, a range outside the text must not be used.
import { describe, expect, it } from "vitest";
import type { CompletionInput } from "../../../src/core/completion/completionSettings.js";
import { inputWithSelectedItem } from "../../../src/core/completion/selectedItem.js";

const at = (text: string, offset: number): CompletionInput => ({ documentId: "file:///w/m.rs", filename: "m.rs", text, offset });

describe("inputWithSelectedItem (mutation edges)", () => {
  it("accepts an item replacing from the start of the text", () => {
    // The first word of a file: the item's range starts at offset 0.
    expect(inputWithSelectedItem(at("pr", 2), { start: 0, end: 2, text: "println" })).toMatchObject({ text: "println", offset: 7 });
  });

  it("accepts an item inserted at the cursor (an empty range there)", () => {
    expect(inputWithSelectedItem(at("a.b", 2), { start: 2, end: 2, text: "len" })).toMatchObject({ text: "a.lenb", offset: 5 });
  });

  it("accepts an item replacing up to the end of the text", () => {
    expect(inputWithSelectedItem(at("x.fo", 3), { start: 2, end: 4, text: "foo" })).toMatchObject({ text: "x.foo", offset: 5 });
  });

  it("refuses a range starting before the text or ending after it", () => {
    // Offsets from a stale document: using them would garble the prompt.
    expect(inputWithSelectedItem(at("ab", 1), { start: -1, end: 1, text: "xy" })).toBeUndefined();
    expect(inputWithSelectedItem(at("ab", 1), { start: 1, end: 3, text: "xyz" })).toBeUndefined();
  });

  it("refuses a range that starts after the cursor or ends before it, even when the other end is valid", () => {
    expect(inputWithSelectedItem(at("abcd", 2), { start: 3, end: 4, text: "q" })).toBeUndefined();
    expect(inputWithSelectedItem(at("abcd", 2), { start: 0, end: 1, text: "q" })).toBeUndefined();
  });

  it("keeps the document and the rest of the input", () => {
    const input = { ...at("v.i", 3), firstLine: 12, explicit: true };
    expect(inputWithSelectedItem(input, { start: 2, end: 3, text: "iter" })).toEqual({ ...input, text: "v.iter", offset: 6 });
  });
});
