import { ResponseError } from "vscode-jsonrpc/node";
import { describe, expect, it } from "vitest";
import { EngineError } from "../../../src/protocol/engine.js";
import { EngineOutputTail, toEngineError } from "../../../src/supervisor/engineOutputTail.js";

describe("EngineOutputTail", () => {
  it("names the engine's last error-like line in a crash message, trimmed", () => {
    const tail = new EngineOutputTail();
    expect(tail.lastErrorLine()).toBe("");
    expect(tail.add("loading\r\n\nGGML_ASSERT(n > 0) failed\nsome progress\n")).toEqual(["loading", "GGML_ASSERT(n > 0) failed", "some progress"]);
    expect(tail.lastErrorLine()).toBe("Last engine error: GGML_ASSERT(n > 0) failed. ");
    tail.add(`  out of memory: ${"x".repeat(400)}`);
    expect(tail.lastErrorLine()).toBe(`Last engine error: out of memory: ${"x".repeat(300 - "out of memory: ".length)}. `);
  });

  it("keeps only the last 40 lines, and forgets them when cleared", () => {
    const tail = new EngineOutputTail();
    tail.add("error: early");
    tail.add(Array.from({ length: 45 }, (_, i) => `line ${i}`).join("\n"));
    expect(tail.text().split("\n")).toHaveLength(40);
    expect(tail.text().startsWith("line 5\n")).toBe(true);
    expect(tail.lastErrorLine()).toBe("");
    tail.add("abort");
    tail.clear();
    expect(tail.text()).toBe("");
    expect(tail.lastErrorLine()).toBe("");
  });
});

describe("toEngineError", () => {
  it("keeps a typed engine error, maps a response's code, and tells cancellation from a broken connection", () => {
    const typed = new EngineError("contextOverflow", "too long");
    expect(toEngineError(typed)).toBe(typed);
    expect(toEngineError(new ResponseError(1, "bad file", { code: "modelLoadFailed" })).code).toBe("modelLoadFailed");
    expect(toEngineError(new ResponseError(1, "odd", { code: "no such code" })).code).toBe("internal");
    expect(toEngineError(new Error("Request cancelled")).code).toBe("cancelled");
    const broken = toEngineError(new Error("write EPIPE"));
    expect(broken.code).toBe("engineUnavailable");
    expect(broken.message).toContain("write EPIPE");
  });
});
