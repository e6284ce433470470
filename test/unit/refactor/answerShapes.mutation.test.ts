// The answer shapes' bounds, exactly: the limits a selection gets, what each field of each schema
// allows (and tells the model), the token bound an answer must end within, and which answered
// fields are at their bound (and so may be cut). Written for the mutants the first tests let live
// (docs/mutation.md).
import { describe, expect, it } from "vitest";
import { validateJsonValue, type JsonSchema } from "../../../src/core/json/validateJson.js";
import {
  answerCharacterBound,
  answerSchema,
  answerShapeNames,
  defaultLimits,
  fieldsAtLimit,
  resolveLimits,
  shapeInstructions,
} from "../../../src/core/refactor/answerShapes.js";

const limits = { maxItems: 3, maxTextLength: 500 };
type Node = JsonSchema & { properties: Record<string, JsonSchema & { items: JsonSchema & { properties: Record<string, JsonSchema> } }> };
const schemaOf = (shape: (typeof answerShapeNames)[number], selectionLength = 50) => answerSchema(shape, limits, selectionLength) as Node;
const valid = (schema: JsonSchema, value: unknown) => validateJsonValue(schema, value).ok;

describe("limits", () => {
  it("default: 8 items, and code half as long again as the selection plus 400, between 400 and 48,000", () => {
    expect(defaultLimits(0)).toEqual({ maxItems: 8, maxTextLength: 400 });
    expect(defaultLimits(1000)).toEqual({ maxItems: 8, maxTextLength: 1900 });
    expect(defaultLimits(333).maxTextLength).toBe(900);
    expect(defaultLimits(100_000).maxTextLength).toBe(48_000);
  });

  it("an action's own limits are whole numbers within 1–20 items and 40–8,000 characters", () => {
    expect(resolveLimits(1000)).toEqual(defaultLimits(1000));
    expect(resolveLimits(1000, {})).toEqual(defaultLimits(1000));
    expect(resolveLimits(1000, { maxItems: 2.9 })).toEqual({ maxItems: 2, maxTextLength: 1900 });
    expect(resolveLimits(1000, { maxItems: 0 }).maxItems).toBe(1);
    expect(resolveLimits(1000, { maxItems: 21 }).maxItems).toBe(20);
    expect(resolveLimits(1000, { maxTextLength: 39.5 })).toEqual({ maxItems: 8, maxTextLength: 40 });
    expect(resolveLimits(1000, { maxTextLength: 8000.9 }).maxTextLength).toBe(8000);
  });
});

describe("answerSchema", () => {
  it("bounds anchors by the selection, at most 300 characters, at least 1", () => {
    expect(schemaOf("anchoredEdits", 10).properties.edits.items.properties.anchor!.maxLength).toBe(10);
    expect(schemaOf("insertBefore", 1000).properties.insertions.items.properties.anchor!.maxLength).toBe(300);
    expect(schemaOf("anchoredEdits", 0).properties.edits.items.properties.anchor!.maxLength).toBe(1);
  });

  it("bounds code by the limits, lists by the item limit, names to 64 and the call to 300 characters", () => {
    expect(schemaOf("replaceSelection").properties.code!.maxLength).toBe(500);
    expect(schemaOf("anchoredEdits").properties.edits.maxItems).toBe(3);
    expect(schemaOf("anchoredEdits").properties.edits.items.properties.replacement!.maxLength).toBe(500);
    expect(schemaOf("insertBefore").properties.insertions.maxItems).toBe(3);
    expect(schemaOf("insertBefore").properties.insertions.items.properties.text!.maxLength).toBe(500);
    expect(schemaOf("renames").properties.renames.maxItems).toBe(3);
    expect(schemaOf("renames").properties.renames.items.properties.to!.maxLength).toBe(64);
    const extract = schemaOf("extractFunction").properties;
    expect([extract.functionName!.maxLength, extract.newFunction!.maxLength, extract.callSite!.maxLength, extract.rationale!.maxLength]).toEqual([64, 500, 300, 160]);
  });

  it("refuses empty anchors, names and call sites, accepts empty code and an empty rationale", () => {
    // An empty anchor would match everywhere, an empty name is no rename, an empty call site deletes the selection.
    expect(valid(schemaOf("anchoredEdits"), { rationale: "", edits: [{ anchor: "", replacement: "x" }] })).toBe(false);
    expect(valid(schemaOf("anchoredEdits"), { rationale: "", edits: [{ anchor: "a", replacement: "" }] })).toBe(true);
    expect(valid(schemaOf("insertBefore"), { rationale: "r", insertions: [{ anchor: "", text: "// x" }] })).toBe(false);
    expect(valid(schemaOf("renames"), { rationale: "r", renames: [{ from: "a", to: "" }] })).toBe(false);
    expect(valid(schemaOf("renames"), { rationale: "r", renames: [{ from: "", to: "b" }] })).toBe(false);
    expect(valid(schemaOf("renames"), { rationale: "r", renames: [{ from: "a", to: "b" }] })).toBe(true);
    const extract = { rationale: "r", functionName: "f", newFunction: "function f() {}", callSite: "f();" };
    expect(valid(schemaOf("extractFunction"), extract)).toBe(true);
    expect(valid(schemaOf("extractFunction"), { ...extract, functionName: "" })).toBe(false);
    expect(valid(schemaOf("extractFunction"), { ...extract, callSite: "" })).toBe(false);
    expect(valid(schemaOf("replaceSelection"), { rationale: "", code: "" })).toBe(true);
  });

  it("describes every field to the model", () => {
    const fields = (schema: JsonSchema): JsonSchema[] =>
      Object.values((schema.properties ?? {}) as Record<string, JsonSchema>).flatMap((field) => [field, ...(field.items ? fields(field.items as JsonSchema) : [])]);
    for (const shape of answerShapeNames) {
      for (const field of fields(schemaOf(shape)).filter((node) => node.type === "string")) expect(String(field.description).length, shape).toBeGreaterThan(15);
    }
  });
});

describe("shapeInstructions", () => {
  it("name every field of the shape and the rules the converter enforces", () => {
    expect(shapeInstructions.replaceSelection).toMatch(/"code" is the complete new code .*same indentation/);
    expect(shapeInstructions.anchoredEdits).toMatch(/^"edits" lists replacements: "anchor" is copied .*exactly once .*\(include a neighbouring line/);
    expect(shapeInstructions.anchoredEdits).toMatch(/"replacement" is the text that takes its place\. Edits must not overlap\. Use an empty list when nothing should change\.$/);
    expect(shapeInstructions.insertBefore).toMatch(/^"insertions" lists new lines: "anchor" is copied .*start of a line.*exactly once; "text" holds the lines inserted before that line/);
    expect(shapeInstructions.renames).toMatch(/^"renames" lists names .*"from" is the current identifier, "to" the better one\. Only plain identifiers; leave out names that are already good\.$/);
    expect(shapeInstructions.extractFunction).toMatch(/^"functionName" names the new function; "newFunction" is its complete declaration.*; "callSite" is the code that replaces the selection and calls it/);
  });
});

describe("answerCharacterBound", () => {
  // Counted by hand, one token per character: a string is its quotes and its longest text; a list
  // its brackets and, per item, the item, a comma and 8 characters of whitespace; an object its
  // braces and, per property, the quoted key, the colon and comma, 8 of whitespace and the value.
  it("counts strings, lists and objects exactly", () => {
    expect(answerCharacterBound({ type: "string", maxLength: 5 })).toBe(7);
    expect(answerCharacterBound({ type: "array", items: { type: "string", maxLength: 3 }, maxItems: 2 })).toBe(2 + 2 * (5 + 1 + 8));
    expect(answerCharacterBound({ type: "object", properties: { ab: { type: "string", maxLength: 3 }, c: { type: "boolean" } } })).toBe(2 + (2 + 4 + 8 + 5) + (1 + 4 + 8 + 5));
    expect(answerCharacterBound({ type: "object" })).toBe(2);
  });

  it("assumes generous bounds where a schema sets none", () => {
    expect(answerCharacterBound({ type: "string" })).toBe(10_002);
    expect(answerCharacterBound({ type: "array", items: { type: "boolean" } })).toBe(2 + 100 * (5 + 1 + 8));
    expect(answerCharacterBound({ type: "array", maxItems: 1 })).toBe(2 + (24 + 1 + 8));
    expect(answerCharacterBound({ type: "integer" })).toBe(24);
  });

  it("takes the longest of an enum's values, a constant's length and the longest of oneOf", () => {
    expect(answerCharacterBound({ enum: ["a", "bcd", "ef"] })).toBe(5);
    expect(answerCharacterBound({ enum: [1, 100] })).toBe(3);
    expect(answerCharacterBound({ const: "on" })).toBe(4);
    expect(answerCharacterBound({ oneOf: [{ type: "string", maxLength: 1 }, { type: "boolean" }] })).toBe(5);
  });
});

describe("fieldsAtLimit", () => {
  it("names a bare string answer at its bound by the root pointer", () => {
    expect(fieldsAtLimit({ type: "string", maxLength: 3 }, "abc")).toEqual([{ path: "/", maxLength: 3 }]);
    expect(fieldsAtLimit({ type: "string", maxLength: 3 }, "ab")).toEqual([]);
    expect(fieldsAtLimit({ type: "string" }, "a".repeat(20_000))).toEqual([]);
  });

  it("looks into lists and objects of the answer only", () => {
    const schema = { type: "object", properties: { code: { type: "string", maxLength: 2 }, n: { type: "integer" } } };
    expect(fieldsAtLimit(schema, { code: "ab", n: 5 })).toEqual([{ path: "/code", maxLength: 2 }]);
    expect(fieldsAtLimit({ type: "array", items: { type: "string", maxLength: 1 } }, ["", "x"])).toEqual([{ path: "/1", maxLength: 1 }]);
    expect(fieldsAtLimit(schema, 42)).toEqual([]);
  });
});
