// vscode.lm tools ↔ our tool definitions and calls (core/languageModel/lmTools.ts).
import { describe, expect, it } from "vitest";
import { grammarSafeSchema, toLmToolCall, toToolDefinitions } from "../../../src/core/languageModel/lmTools.js";
import { validateJson } from "../../../src/core/json/validateJson.js";

// A schema as MCP servers and other extensions write them: refs, patterns, open objects, allOf.
const mcpSchema = {
  $schema: "http://json-schema.org/draft-07/schema#",
  type: "object",
  properties: {
    path: { type: "string", pattern: "^/", description: "Absolute path" },
    mode: { enum: ["read", "write", { nested: true }] },
    limit: { type: ["integer", "null"], minimum: 1 },
    tags: { type: "array", items: { type: "string" }, maxItems: 3 },
    options: { type: "object", properties: { force: { type: "boolean" } }, additionalProperties: true },
    node: { $ref: "#/definitions/node" },
    both: { allOf: [{ type: "string" }, { minLength: 1 }] },
    kind: { anyOf: [{ const: "a" }, { type: "number" }] },
  },
  required: ["path", "missing"],
  definitions: { node: { type: "object" } },
};

describe("toToolDefinitions", () => {
  it("maps name, description and input schema; a tool without input takes an empty object", () => {
    const defs = toToolDefinitions([{ name: "run", description: "Runs it", inputSchema: { type: "object", properties: { x: { type: "number" } } } }, { name: "now", description: "Time" }], { grammarSafe: false });
    expect(defs).toEqual([
      { name: "run", description: "Runs it", parameters: { type: "object", properties: { x: { type: "number" } } } },
      { name: "now", description: "Time", parameters: { type: "object", properties: {}, additionalProperties: false } },
    ]);
  });

  it("offers no tools when the caller gives none", () => {
    expect(toToolDefinitions(undefined, { grammarSafe: true })).toBeUndefined();
    expect(toToolDefinitions([], { grammarSafe: true })).toBeUndefined();
  });

  it("leaves out a tool named like the tool step's way out", () => {
    expect(toToolDefinitions([{ name: "none", description: "" }], { grammarSafe: true })).toBeUndefined();
    expect(toToolDefinitions([{ name: "none", description: "" }, { name: "run", description: "" }], { grammarSafe: true })!.map((tool) => tool.name)).toEqual(["run"]);
  });

  it("offers an integer-or-number input as one alternative, so an integer validates", () => {
    const [def] = toToolDefinitions([{ name: "n", description: "", inputSchema: { type: "object", properties: { n: { type: ["integer", "number"] } } } }], { grammarSafe: true })!;
    expect(def!.parameters).toMatchObject({ properties: { n: { type: "number" } } });
  });

  it("keeps a server's schema as written where the validator takes it, narrows it for a grammar", () => {
    const plain = { type: "object", properties: { q: { type: "string", pattern: "^a" } }, required: ["q"] };
    const [remote] = toToolDefinitions([{ name: "find", description: "", inputSchema: plain }], { grammarSafe: false })!;
    expect(remote!.parameters).toBe(plain);
    const [refused] = toToolDefinitions([{ name: "fs", description: "", inputSchema: mcpSchema }], { grammarSafe: false })!;
    expect(refused!.parameters).toEqual(grammarSafeSchema(mcpSchema, 0));
    const [local] = toToolDefinitions([{ name: "fs", description: "", inputSchema: mcpSchema }], { grammarSafe: true })!;
    expect(local!.parameters).toEqual(grammarSafeSchema(mcpSchema, 0));
  });

  it("gives a tool whose schema is not an object schema an empty object input", () => {
    const [def] = toToolDefinitions([{ name: "x", description: "", inputSchema: { type: "string" } }], { grammarSafe: true })!;
    expect(def!.parameters).toEqual({ type: "object", properties: {}, additionalProperties: false });
  });
});

const anyPrimitive = { oneOf: [{ type: "string" }, { type: "number" }, { type: "boolean" }, { type: "null" }] };

describe("grammarSafeSchema", () => {
  const safe = grammarSafeSchema(mcpSchema, 0);

  it("keeps types, properties, bounds, enums and alternatives; drops what a grammar cannot take", () => {
    expect(safe).toEqual({
      type: "object",
      properties: {
        path: { type: "string", description: "Absolute path" },
        mode: { enum: ["read", "write"] },
        limit: { oneOf: [{ type: "integer" }, { type: "null" }] },
        tags: { type: "array", items: { type: "string" }, maxItems: 3 },
        options: { type: "object", properties: { force: { type: "boolean" } }, additionalProperties: false },
        node: anyPrimitive,
        both: anyPrimitive,
        kind: { oneOf: [{ const: "a" }, { type: "number" }] },
      },
      required: ["path"],
      additionalProperties: false,
    });
  });

  it("is a schema the validator accepts, and the input it allows validates", () => {
    const input = { path: "/a", mode: "read", limit: 2, tags: ["x"], options: { force: true }, node: 1, both: "s", kind: "a" };
    expect(validateJson(safe as never, JSON.stringify(input)).ok).toBe(true);
    expect(validateJson(safe as never, JSON.stringify({ ...input, extra: 1 })).ok).toBe(false);
  });

  it("stops at a bounded depth on a deeply nested schema", () => {
    let deep: Record<string, unknown> = { type: "string" };
    for (let i = 0; i < 20; i++) deep = { type: "object", properties: { d: deep } };
    expect(JSON.stringify(grammarSafeSchema(deep, 0)).match(/"d"/g)!.length).toBeLessThanOrEqual(9);
  });
});

describe("toLmToolCall", () => {
  it("parses the arguments into the caller's input object", () => {
    expect(toLmToolCall({ id: "c1", name: "run", arguments: '{"x":1}' })).toEqual({ ok: true, callId: "c1", name: "run", input: { x: 1 } });
    expect(toLmToolCall({ id: "c2", name: "now", arguments: "" })).toEqual({ ok: true, callId: "c2", name: "now", input: {} });
  });

  it("leaves out a call whose arguments are not a JSON object, saying so", () => {
    for (const args of ["[1]", "not json", "3"]) {
      const outcome = toLmToolCall({ id: "c", name: "run", arguments: args });
      expect(outcome.ok).toBe(false);
      if (!outcome.ok) expect(outcome.note).toContain("run");
    }
  });
});
