import { describe, expect, it } from "vitest";
import { parseToolStep, toolStepInstructions, toolStepSchema } from "../../../src/core/chat/toolStep.js";
import { workspaceToolDefinitions } from "../../../src/core/chat/workspaceTools.js";

const tools = workspaceToolDefinitions;
const fixedId = () => "12345678-abcd";

describe("tool step", () => {
  it("reads a tool choice with arguments", () => {
    const step = parseToolStep(' {"tool": "read_file", "arguments": {"path": "src/a.ts"}}', tools, fixedId);
    expect(step).toEqual({ kind: "tool", call: { id: "call_12345678", name: "read_file", arguments: '{"path":"src/a.ts"}' } });
  });

  it("reads 'none' as: answer directly", () => {
    expect(parseToolStep('{"tool":"none"}', tools)).toEqual({ kind: "answer" });
  });

  it("refuses unknown tools, wrong arguments, extra keys and broken JSON", () => {
    for (const text of ['{"tool":"rm_rf","arguments":{}}', '{"tool":"read_file","arguments":{"file":"a"}}', '{"tool":"none","x":1}', '{"tool":', ""]) {
      expect(parseToolStep(text, tools).kind, text).toBe("invalid");
    }
  });

  it("bounds every string of the schema so a grammar-constrained step always closes", () => {
    const unbounded: string[] = [];
    const walk = (node: unknown, where: string) => {
      if (!node || typeof node !== "object") return;
      const record = node as Record<string, unknown>;
      if (record.type === "string" && typeof record.maxLength !== "number") unbounded.push(where);
      if (record.type === "array" && typeof record.maxItems !== "number") unbounded.push(where);
      for (const [key, value] of Object.entries(record)) walk(value, `${where}/${key}`);
    };
    walk(toolStepSchema(tools), "");
    expect(unbounded).toEqual([]);
  });

  it("lists every tool in the instructions", () => {
    const text = toolStepInstructions(tools);
    for (const tool of tools) expect(text).toContain(tool.name);
  });
});
