import { describe, expect, it } from "vitest";
import { compileJsonSchema, type JsonSchema } from "../../../src/core/json/validateJson.js";
import { builtinActions } from "../../../src/core/refactor/actions.js";
import { answerCharacterBound, answerShapeNames, answerSchema, defaultLimits } from "../../../src/core/refactor/answerShapes.js";
import { schemaFor } from "../../../src/core/refactor/runRefactor.js";
import { targetOf } from "./helpers.js";

// The keywords node-llama-cpp's JSON-schema grammar enforces; anything else would be checked by
// ajv but not by the grammar, and a constrained model could not avoid breaking it.
const grammarKeywords = new Set(["type", "properties", "required", "additionalProperties", "items", "maxItems", "minItems", "minLength", "maxLength", "enum", "description"]);

function walk(schema: JsonSchema, visit: (node: JsonSchema, path: string) => void, path = "#"): void {
  visit(schema, path);
  for (const [key, child] of Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)) walk(child, visit, `${path}/${key}`);
  if (schema.items) walk(schema.items as JsonSchema, visit, `${path}/items`);
}

const target = targetOf("function f(a, b) {\n  «return a + b;»\n}\n");

describe("built-in action schemas", () => {
  it.each(builtinActions.map((action) => [action.title, action] as const))("%s: compiles, bounded, grammar-only keywords", (_title, action) => {
    const schema = schemaFor(action, target);
    expect(() => compileJsonSchema(schema)).not.toThrow();
    walk(schema, (node, path) => {
      for (const key of Object.keys(node)) expect(grammarKeywords.has(key), `${path}: ${key}`).toBe(true);
      if (node.type === "string") expect(node.maxLength, `${path} has no maxLength`).toEqual(expect.any(Number));
      if (node.type === "array") expect(node.maxItems, `${path} has no maxItems`).toEqual(expect.any(Number));
      if (node.type === "object") {
        // The grammar writes every property; ajv must require them all, in the same order.
        expect(node.required).toEqual(Object.keys(node.properties as object));
        expect(node.additionalProperties).toBe(false);
      }
    });
    expect(Object.keys(schema.properties as object)[0]).toBe("rationale");
  });

  it("every answer shape compiles at the smallest and largest bounds", () => {
    for (const shape of answerShapeNames) {
      for (const length of [1, 100_000]) {
        const schema = answerSchema(shape, defaultLimits(length), length);
        expect(() => compileJsonSchema(schema)).not.toThrow();
        expect(Number.isFinite(answerCharacterBound(schema))).toBe(true);
      }
    }
  });

  it("bounds anchors by the selection and code by a multiple of it", () => {
    const small = answerSchema("anchoredEdits", defaultLimits(10), 10) as { properties: { edits: { items: JsonSchema } } };
    const anchor = (small.properties.edits.items.properties as Record<string, JsonSchema>).anchor!;
    expect(anchor.maxLength).toBe(10);
    expect(defaultLimits(10).maxTextLength).toBeLessThan(defaultLimits(2000).maxTextLength);
  });

  it("the character bound covers the longest answer the schema allows", () => {
    const schema = answerSchema("renames", { maxItems: 2, maxTextLength: 400 }, 50);
    const longest = JSON.stringify(
      { rationale: "r".repeat(160), renames: [{ from: "a".repeat(64), to: "b".repeat(64) }, { from: "c".repeat(64), to: "d".repeat(64) }] },
      null,
      2,
    );
    expect(answerCharacterBound(schema)).toBeGreaterThanOrEqual(longest.length);
  });
});
