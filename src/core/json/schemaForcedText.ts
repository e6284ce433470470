// Jump-ahead for schema-constrained JSON: where the schema leaves only one way on (an object's
// braces, its keys and colons in order, the quote that opens a string, the one that closes a string
// at its maxLength, the bracket that closes a full array), the engine writes that text itself and
// evaluates it in one batch instead of sampling it token by token. Sampling those positions under a
// grammar is the slow part: the model's pick is rarely the one allowed character, so llama.cpp
// checks the whole vocabulary against the grammar for each of them (ENGINE-FACTS).
//
// This tracker follows the JSON text generated so far against the schema and says what text is
// forced next, written compactly (no optional whitespace). The grammar stays the authority: the
// engine checks every forced token against it before using it, so a tracker that lost its way can
// cost speed, never validity. Only the schema subset our answer shapes use is followed: objects
// whose properties are all required and closed, arrays, strings, booleans, null, `const` values and
// `oneOf` (the chat's tool step, an edit proposal's change kinds): each branch is followed as an
// alternative until the text rules it out, and text is forced only where every alternative left
// agrees on it.
import type { JsonSchema } from "./validateJson.js";

type Frame =
  | { kind: "value"; schema: JsonSchema }
  | { kind: "object"; keys: [string, JsonSchema][]; next: number; phase: "open" | "afterValue" | "comma" }
  | { kind: "array"; item: JsonSchema; count: number; min: number; max: number; phase: "open" | "afterValue" | "comma" }
  | { kind: "string"; min: number; max: number; length: number; escape: number }
  | { kind: "literal"; rest: string };

const whitespace = new Set([" ", "\t", "\n", "\r"]);
/** Characters still to come in an escape once its first character after the backslash is read. */
const escapeLengths: Record<string, number> = { u: 4 };
const forcedTextLimit = 512;

export class SchemaForcedText {
  /** The parse states still consistent with the text so far: one, or one per open `oneOf` branch. */
  private stacks: Frame[][];

  private constructor(schema: JsonSchema) {
    this.stacks = [[{ kind: "value", schema }]];
  }

  /** A tracker for `schema`, or undefined when the schema uses anything outside the followed subset. */
  static for(schema: JsonSchema): SchemaForcedText | undefined {
    return isFollowable(schema) ? new SchemaForcedText(schema) : undefined;
  }

  /** True once the top-level value is closed. */
  get complete(): boolean {
    return this.stacks.some((stack) => stack.length === 0);
  }

  /** Follows generated text; text the schema does not allow stops the tracker (it then forces nothing). */
  push(text: string): void {
    for (const ch of text) {
      if (!this.stacks.length) return;
      this.stacks = this.stacks.flatMap((stack) => stepAll(stack, ch));
    }
  }

  /** The text the schema forces from here, or "" where the model has a choice. */
  forced(): string {
    let alternatives = this.stacks.flatMap((stack) => expand(cloneStack(stack)));
    let out = "";
    while (out.length < forcedTextLimit && alternatives.length) {
      const choices = new Set(alternatives.map(nextForcedCharacter));
      const [ch] = choices;
      if (choices.size !== 1 || ch === undefined) break;
      alternatives = alternatives.flatMap((stack) => stepAll(stack, ch).flatMap(expand));
      if (!alternatives.length) break;
      out += ch;
    }
    return out;
  }
}

/**
 * The stacks after one character: none when no alternative allows it, several while `oneOf`
 * branches still agree with the text. `stack` is consumed.
 */
function stepAll(stack: Frame[], ch: string): Frame[][] {
  const done: Frame[][] = [];
  let pending = expand(stack);
  while (pending.length) {
    const again: Frame[][] = [];
    for (const alternative of pending) {
      const result = step(alternative, ch);
      if (result === "again") again.push(...expand(alternative));
      else if (result) done.push(alternative);
    }
    pending = again;
  }
  return done;
}

/** A stack whose top is a `oneOf` value, as one stack per branch (each its own copy). */
function expand(stack: Frame[]): Frame[][] {
  const top = stack[stack.length - 1];
  if (top?.kind !== "value" || !Array.isArray(top.schema.oneOf)) return [stack];
  const below = stack.slice(0, -1);
  return (top.schema.oneOf as JsonSchema[]).flatMap((branch) => expand([...cloneStack(below), { kind: "value", schema: branch }]));
}

function isFollowable(schema: JsonSchema): boolean {
  const known = (keys: string[]) => Object.keys(schema).every((key) => keys.includes(key) || key === "description" || key === "title");
  if (Array.isArray(schema.oneOf)) return known(["oneOf"]) && schema.oneOf.length > 0 && (schema.oneOf as JsonSchema[]).every(isFollowable);
  if ("const" in schema) return known(["const", "type"]) && ["string", "number", "boolean"].includes(typeof schema.const);
  switch (schema.type) {
    case "object": {
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = Array.isArray(schema.required) ? schema.required : [];
      const names = Object.keys(properties);
      return (
        known(["type", "properties", "required", "additionalProperties"]) &&
        schema.additionalProperties === false &&
        names.length === required.length &&
        names.every((name) => required.includes(name)) &&
        Object.values(properties).every(isFollowable)
      );
    }
    case "array":
      return known(["type", "items", "minItems", "maxItems"]) && typeof schema.items === "object" && schema.items !== null && isFollowable(schema.items as JsonSchema);
    case "string":
      return known(["type", "minLength", "maxLength"]);
    case "boolean":
    case "null":
      return known(["type"]);
    default:
      return false;
  }
}

function cloneStack(stack: Frame[]): Frame[] {
  return stack.map((frame) => ({ ...frame }));
}

/**
 * Consumes one character; false when the schema does not allow it here, "again" when it opens an
 * array item that the character itself must now start (the item may be a `oneOf`: expanded first).
 */
function step(stack: Frame[], ch: string): boolean | "again" {
  const top = stack[stack.length - 1];
  if (!top) return whitespace.has(ch);
  switch (top.kind) {
    case "value":
      if (whitespace.has(ch)) return true;
      stack.pop();
      return startValue(stack, top.schema, ch);
    case "literal":
      if (ch !== top.rest[0]) return false;
      top.rest = top.rest.slice(1);
      if (!top.rest) stack.pop();
      return true;
    case "string":
      return stringStep(stack, top, ch);
    case "object":
      if (whitespace.has(ch)) return true;
      if (top.phase === "afterValue") {
        if (ch === "}" && top.next === top.keys.length) return stack.pop() !== undefined;
        if (ch === "," && top.next < top.keys.length) return (top.phase = "comma"), true;
        return false;
      }
      if (top.phase === "open" && top.keys.length === 0) return ch === "}" && stack.pop() !== undefined;
      if (ch !== '"') return false;
      {
        const [key, schema] = top.keys[top.next++]!;
        top.phase = "afterValue";
        // The key's remaining characters and the colon, then the value.
        stack.push({ kind: "value", schema }, { kind: "literal", rest: `${JSON.stringify(key).slice(1)}:` });
      }
      return true;
    case "array":
      if (whitespace.has(ch)) return true;
      if (top.phase !== "comma" && ch === "]" && top.count >= top.min) return stack.pop() !== undefined;
      if (top.phase === "afterValue") return ch === "," && top.count < top.max ? ((top.phase = "comma"), true) : false;
      if (top.count >= top.max) return false;
      top.count++;
      top.phase = "afterValue";
      stack.push({ kind: "value", schema: top.item });
      return "again";
  }
}

function startValue(stack: Frame[], schema: JsonSchema, ch: string): boolean {
  if ("const" in schema) {
    const literal = JSON.stringify(schema.const);
    if (ch !== literal[0]) return false;
    if (literal.length > 1) stack.push({ kind: "literal", rest: literal.slice(1) });
    return true;
  }
  switch (schema.type) {
    case "object":
      if (ch !== "{") return false;
      stack.push({ kind: "object", keys: Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>), next: 0, phase: "open" });
      return true;
    case "array":
      if (ch !== "[") return false;
      stack.push({
        kind: "array",
        item: schema.items as JsonSchema,
        count: 0,
        min: Number(schema.minItems ?? 0),
        max: Number(schema.maxItems ?? Infinity),
        phase: "open",
      });
      return true;
    case "string":
      if (ch !== '"') return false;
      stack.push({ kind: "string", min: Number(schema.minLength ?? 0), max: Number(schema.maxLength ?? Infinity), length: 0, escape: 0 });
      return true;
    case "boolean":
      if (ch !== "t" && ch !== "f") return false;
      stack.push({ kind: "literal", rest: ch === "t" ? "rue" : "alse" });
      return true;
    case "null":
      if (ch !== "n") return false;
      stack.push({ kind: "literal", rest: "ull" });
      return true;
    default:
      return false;
  }
}

/** Strings count characters as the grammar does: an escape sequence is one character. */
function stringStep(stack: Frame[], top: Extract<Frame, { kind: "string" }>, ch: string): boolean {
  if (top.escape < 0) {
    // Just after a backslash.
    if (!`"\\/bfnrtu`.includes(ch)) return false;
    top.escape = escapeLengths[ch] ?? 0;
    return true;
  }
  if (top.escape > 0) {
    if (!/[0-9a-fA-F]/.test(ch)) return false;
    top.escape--;
    return true;
  }
  if (ch === '"') {
    if (top.length < top.min) return false;
    stack.pop();
    return true;
  }
  if (ch < " " || ch === "\x7f" || top.length >= top.max) return false;
  top.length++;
  if (ch === "\\") top.escape = -1;
  return true;
}

function nextForcedCharacter(stack: Frame[]): string | undefined {
  const top = stack[stack.length - 1];
  if (!top) return undefined;
  switch (top.kind) {
    case "value":
      return openingCharacter(top.schema);
    case "literal":
      return top.rest[0];
    case "string":
      return top.escape === 0 && top.length >= top.max ? '"' : undefined;
    case "object":
      if (top.phase === "afterValue") return top.next < top.keys.length ? "," : "}";
      return top.keys.length === 0 ? "}" : '"';
    case "array":
      if (top.phase === "afterValue") {
        if (top.count >= top.max) return "]";
        return top.count < top.min ? "," : undefined;
      }
      if (top.phase === "open" && top.max === 0) return "]";
      if (top.phase === "open" && top.min === 0) return undefined;
      return openingCharacter(top.item);
  }
}

/** The first character of a value of `schema` when only one is possible. */
function openingCharacter(schema: JsonSchema): string | undefined {
  if ("const" in schema) return JSON.stringify(schema.const)[0];
  if (Array.isArray(schema.oneOf)) {
    const first = new Set((schema.oneOf as JsonSchema[]).map(openingCharacter));
    return first.size === 1 ? [...first][0] : undefined;
  }
  switch (schema.type) {
    case "object":
      return "{";
    case "array":
      return "[";
    case "string":
      return '"';
    case "null":
      return "n";
    default:
      return undefined;
  }
}
