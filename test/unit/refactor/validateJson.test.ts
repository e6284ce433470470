import { describe, expect, it } from "vitest";
import { JsonSchemaError, compileJsonSchema, validateJson, withGrammarDecodingSlack } from "../../../src/core/json/validateJson.js";

const schema = {
  type: "object",
  properties: { name: { type: "string", maxLength: 5 }, kind: { enum: ["a", "b"] } },
  required: ["name", "kind"],
  additionalProperties: false,
};

describe("validateJson", () => {
  it("accepts a valid answer and returns the parsed value", () => {
    expect(validateJson(schema, '{"name":"x","kind":"a"}')).toEqual({ ok: true, value: { name: "x", kind: "a" } });
  });

  it("names what is wrong with an invalid answer", () => {
    const result = validateJson(schema, '{"name":"toolong","kind":"c","extra":1}');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toContain("/name must NOT have more than 5 characters");
    expect(result.error).toContain('/kind must be equal to one of the allowed values ("a", "b")');
    expect(result.error).toContain("(extra)");
  });

  it("reports text that is not JSON", () => {
    const result = validateJson(schema, '{"name": "x"');
    expect(result).toMatchObject({ ok: false, error: expect.stringContaining("not valid JSON") });
  });

  it("rejects schemas with unknown keywords instead of treating them as unbounded", () => {
    expect(() => compileJsonSchema({ type: "string", maxlength: 3 })).toThrow(JsonSchemaError);
  });
});

describe("withGrammarDecodingSlack", () => {
  it("allows four times every maxLength and leaves everything else alone", () => {
    const relaxed = withGrammarDecodingSlack(schema);
    expect(relaxed).toEqual({ ...schema, properties: { name: { type: "string", maxLength: 20 }, kind: { enum: ["a", "b"] } } });
    expect(schema.properties.name.maxLength).toBe(5);
    // What a malformed UTF-8 sequence decodes to: U+FFFD plus the bytes the grammar took as one character.
    expect(validateJson(relaxed, JSON.stringify({ name: "\ufffd H\ufffd x", kind: "a" })).ok).toBe(true);
    expect(validateJson(relaxed, JSON.stringify({ name: "x".repeat(21), kind: "a" })).ok).toBe(false);
  });
});
