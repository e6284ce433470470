// Ghost text while the suggest widget is open: asked as if the selected item were accepted, offered
// over the item's range and starting with its text (VS Code shows nothing else).
import { describe, expect, it } from "vitest";
import type { CompletionInput } from "../../../src/core/completion/completionPipeline.js";
import { inputWithSelectedItem, textOverSelectedItem } from "../../../src/core/completion/selectedItem.js";

const typed = (text: string, offset = text.length): CompletionInput => ({ documentId: "file:///a.ts", filename: "a.ts", text, offset });

describe("inputWithSelectedItem", () => {
  it("puts the item's text in place of its range and the cursor after it", () => {
    // "console." with ".log" replacing the ".": the model continues after "console.log".
    const input = inputWithSelectedItem(typed("console.\nnext();", 8), { start: 7, end: 8, text: ".log" });
    expect(input).toMatchObject({ text: "console.log\nnext();", offset: 11 });
  });

  it("handles an item that replaces past the cursor", () => {
    const input = inputWithSelectedItem(typed("items.fo(x)", 8), { start: 6, end: 8, text: "forEach" });
    expect(input).toMatchObject({ text: "items.forEach(x)", offset: 13 });
  });

  it("refuses a range that does not hold the cursor", () => {
    expect(inputWithSelectedItem(typed("abc def", 3), { start: 4, end: 7, text: "define" })).toBeUndefined();
    expect(inputWithSelectedItem(typed("abc def", 7), { start: 0, end: 3, text: "abc" })).toBeUndefined();
  });
});

describe("textOverSelectedItem", () => {
  it("starts with the item's text and goes on with the model's", () => {
    const text = textOverSelectedItem({ start: 7, end: 8, text: ".log" }, "(total);");
    expect(text).toBe(".log(total);");
    expect(text!.startsWith(".log")).toBe(true);
  });

  it("offers nothing when the model adds nothing", () => {
    expect(textOverSelectedItem({ start: 0, end: 1, text: ".log" }, "")).toBeUndefined();
  });
});
