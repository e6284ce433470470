import { describe, expect, it } from "vitest";
import { JsonEndTracker } from "../../src/core/generation/jsonEnd.js";

function endOf(chunks: string[]): number | null {
  const tracker = new JsonEndTracker();
  for (const chunk of chunks) if (tracker.push(chunk)) break;
  return tracker.end;
}

describe("JsonEndTracker", () => {
  it("ends at the closing brace of the top-level object, across chunks", () => {
    const text = '{"a": [1, {"b": 2}], "c": "x"}\n\n\n';
    expect(endOf(['{"a": [1, {"b"', ': 2}], "c": "x"}', "\n\n\n"])).toBe(text.indexOf("}\n") + 1);
  });

  it("ignores brackets and escaped quotes inside strings", () => {
    const text = '{"s": "}]{[\\"}"}';
    expect(endOf([text, " "])).toBe(text.length);
  });

  it("handles a top-level array", () => {
    expect(endOf(["[1,[2]", "]  "])).toBe("[1,[2]]".length);
  });

  it("is not complete while the value is open", () => {
    expect(endOf(['{"a": {"b": 1}', "\n"])).toBeNull();
  });

  it("handles an escape split across chunks", () => {
    expect(endOf(['{"s": "a\\', '"}"}'])).toBe('{"s": "a\\"}"}'.length);
  });
});
