// The small set of answer shapes a refactor action can ask for: each is a bounded JSON Schema
// (every string has maxLength, every array maxItems) because unbounded schemas often never close
// on a weak model (ENGINE-FACTS). Only keywords node-llama-cpp's grammar enforces are used —
// anything ajv checks beyond the grammar would reject answers the model could not avoid.
import type { JsonSchema } from "../json/validateJson.js";

export const answerShapeNames = ["replaceSelection", "anchoredEdits", "insertBefore", "renames", "extractFunction"] as const;
export type AnswerShapeName = (typeof answerShapeNames)[number];

export interface ReplaceSelectionAnswer {
  rationale: string;
  code: string;
}
export interface AnchoredEditsAnswer {
  rationale: string;
  edits: { anchor: string; replacement: string }[];
}
export interface InsertBeforeAnswer {
  rationale: string;
  insertions: { anchor: string; text: string }[];
}
export interface RenamesAnswer {
  rationale: string;
  renames: { from: string; to: string }[];
}
export interface ExtractFunctionAnswer {
  rationale: string;
  functionName: string;
  newFunction: string;
  callSite: string;
}

export interface AnswerByShape {
  replaceSelection: ReplaceSelectionAnswer;
  anchoredEdits: AnchoredEditsAnswer;
  insertBefore: InsertBeforeAnswer;
  renames: RenamesAnswer;
  extractFunction: ExtractFunctionAnswer;
}
export type RefactorAnswer = AnswerByShape[AnswerShapeName];

/** Bounds of one answer; defaults scale with the selection so a small selection gets a small grammar. */
export interface ShapeLimits {
  /** Most edits / insertions / renames in one answer. */
  maxItems: number;
  /** Longest code text (replacement, new code, comment) in characters. */
  maxTextLength: number;
}

export const rationaleMaxLength = 160;
const anchorMaxLength = 300;
const identifierMaxLength = 64;
const callSiteMaxLength = 300;
/**
 * Bounds of the limits a user action may set (package.json describes the same). An action that
 * sets none gets the default, which grows with the selection past these.
 */
export const limitBounds = { maxItems: { min: 1, max: 20 }, maxTextLength: { min: 40, max: 8000 } } as const;

/**
 * The longest code text a default limit grows to (~12k tokens): past it the answer would not fit a
 * context anyway. It used to stop at 6,000, which cut the rewrite of a 10.5k-character function
 * (issue 19, item 4).
 */
export const maxTextLengthCeiling = 48_000;

/** Room for the rewrite of a selection: half as long again, plus some for added lines. */
export function defaultLimits(selectionLength: number): ShapeLimits {
  return { maxItems: 8, maxTextLength: clamp(Math.round(selectionLength * 1.5) + 400, 400, maxTextLengthCeiling) };
}

/** An action's limits for a selection: its own (within `limitBounds`) where it sets them, else the defaults. */
export function resolveLimits(selectionLength: number, overrides: Partial<ShapeLimits> = {}): ShapeLimits {
  const defaults = defaultLimits(selectionLength);
  const bounded = (value: number | undefined, fallback: number, bounds: { min: number; max: number }) =>
    value === undefined ? fallback : clamp(Math.floor(value), bounds.min, bounds.max);
  return {
    maxItems: bounded(overrides.maxItems, defaults.maxItems, limitBounds.maxItems),
    maxTextLength: bounded(overrides.maxTextLength, defaults.maxTextLength, limitBounds.maxTextLength),
  };
}

const text = (maxLength: number, description: string, minLength = 0): JsonSchema => ({
  type: "string",
  ...(minLength > 0 ? { minLength } : {}),
  maxLength,
  description,
});

function object(properties: Record<string, JsonSchema>): JsonSchema {
  return { type: "object", properties, required: Object.keys(properties), additionalProperties: false };
}

const list = (items: JsonSchema, maxItems: number): JsonSchema => ({ type: "array", items, maxItems });

/** The JSON Schema of an answer; `rationale` comes first so the model states its plan before the code. */
export function answerSchema(shape: AnswerShapeName, limits: ShapeLimits, selectionLength: number): JsonSchema {
  const rationale = text(rationaleMaxLength, "One or two short sentences for the user: what changes and why.");
  // An anchor is an excerpt of the selection, so it is never longer than the selection.
  const anchor = text(Math.max(1, Math.min(anchorMaxLength, selectionLength)), "An exact, unique excerpt of the selected code.", 1);
  const code = (description: string) => text(limits.maxTextLength, description);
  const identifier = (description: string) => text(identifierMaxLength, description, 1);
  switch (shape) {
    case "replaceSelection":
      return object({ rationale, code: code("The complete new code that replaces the selection.") });
    case "anchoredEdits":
      return object({
        rationale,
        edits: list(object({ anchor, replacement: code("The text that takes the anchor's place.") }), limits.maxItems),
      });
    case "insertBefore":
      return object({
        rationale,
        insertions: list(object({ anchor, text: code("The lines to insert before the line holding the anchor.") }), limits.maxItems),
      });
    case "renames":
      return object({
        rationale,
        renames: list(object({ from: identifier("A name used in the selection."), to: identifier("Its better name.") }), limits.maxItems),
      });
    case "extractFunction":
      return object({
        rationale,
        functionName: identifier("The new function's name."),
        newFunction: code("The complete new function, declared at top level."),
        callSite: text(callSiteMaxLength, "The code that replaces the selection: a call of the new function.", 1),
      });
  }
}

/** How each field is used, in words for the prompt. */
export const shapeInstructions: Record<AnswerShapeName, string> = {
  replaceSelection:
    '"code" is the complete new code that replaces the whole selection, with the same indentation as the selection.',
  anchoredEdits:
    '"edits" lists replacements: "anchor" is copied character for character from the selected code and occurs in it exactly once ' +
    '(include a neighbouring line when a short excerpt repeats); "replacement" is the text that takes its place. Edits must not overlap. ' +
    "Use an empty list when nothing should change.",
  insertBefore:
    '"insertions" lists new lines: "anchor" is copied character for character from the start of a line of the selected code and occurs in it exactly once; ' +
    '"text" holds the lines inserted before that line (without its indentation; it is added for you).',
  renames:
    '"renames" lists names declared or used in the selection: "from" is the current identifier, "to" the better one. ' +
    "Only plain identifiers; leave out names that are already good.",
  extractFunction:
    '"functionName" names the new function; "newFunction" is its complete declaration, placed before the enclosing function; ' +
    '"callSite" is the code that replaces the selection and calls it (assign its result where the selection produced values).',
};

/**
 * An upper bound on the tokens a schema-valid answer can take, counting one token per character:
 * the grammar closes every string and list at its bound, so the answer must end within this.
 */
export function answerCharacterBound(schema: JsonSchema): number {
  const whitespace = 8; // the grammar allows a newline and a bounded indentation between fields
  if (Array.isArray(schema.enum)) return Math.max(...schema.enum.map((value) => JSON.stringify(value).length));
  if ("const" in schema) return JSON.stringify(schema.const).length;
  if (Array.isArray(schema.oneOf)) return Math.max(...(schema.oneOf as JsonSchema[]).map(answerCharacterBound));
  switch (schema.type) {
    case "string":
      return 2 + Number(schema.maxLength ?? 10_000);
    case "array": {
      const item = answerCharacterBound((schema.items ?? {}) as JsonSchema);
      return 2 + Number(schema.maxItems ?? 100) * (item + 1 + whitespace);
    }
    case "object": {
      const properties = Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>);
      return 2 + properties.reduce((sum, [key, value]) => sum + key.length + 4 + whitespace + answerCharacterBound(value), 0);
    }
    case "boolean":
      return 5;
    default:
      return 24;
  }
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}

export interface FieldAtLimit {
  /** JSON pointer of the field, e.g. `/code`, `/edits/2/replacement`. */
  path: string;
  maxLength: number;
}

/**
 * Strings of an answer that reached their schema's maxLength. The grammar closes a string at its
 * bound whether or not the model was done, so such a text may be cut off: it must not be applied.
 * Counted in code points (as the grammar counts); text a decoder expanded only counts longer, so
 * a cut string is never missed. The rationale is shown, not applied, and is left out.
 */
export function fieldsAtLimit(schema: JsonSchema, value: unknown, path = ""): FieldAtLimit[] {
  if (path === "/rationale") return [];
  if (typeof value === "string") {
    const maxLength = typeof schema.maxLength === "number" ? schema.maxLength : undefined;
    if (maxLength === undefined || value.length < maxLength) return [];
    return [...value].length >= maxLength ? [{ path: path || "/", maxLength }] : [];
  }
  if (Array.isArray(value)) {
    const items = (schema.items ?? {}) as JsonSchema;
    return value.flatMap((item, index) => fieldsAtLimit(items, item, `${path}/${index}`));
  }
  if (value && typeof value === "object") {
    const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
    return Object.entries(value).flatMap(([key, item]) => (properties[key] ? fieldsAtLimit(properties[key], item, `${path}/${key}`) : []));
  }
  return [];
}
