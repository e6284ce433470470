// JSON answers from a model are untrusted even when a grammar constrained them (the grammar's own
// parser once rejected valid output, ENGINE-FACTS): parse and validate with a maintained JSON
// Schema validator before acting on them. Shared by refactors, chat tools and remote backends.
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";

export type JsonSchema = Record<string, unknown>;

export type JsonValidation<T> = { ok: true; value: T } | { ok: false; error: string };

/** A schema that cannot be compiled: a bug in a built-in schema, or a broken user definition. */
export class JsonSchemaError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JsonSchemaError";
  }
}

// Strict mode turns typos such as `maxlength` into compile errors instead of silently unbounded
// schemas; formats are not checked (the grammar does not enforce them either).
const ajv = new Ajv({ allErrors: true, strict: true, validateFormats: false });
const compiled = new Map<string, ValidateFunction>();
const maxCachedSchemas = 64;

/** Compiles (and caches) a schema; throws JsonSchemaError when it is not a valid JSON Schema. */
export function compileJsonSchema(schema: JsonSchema): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    try {
      validate = ajv.compile(schema);
    } catch (error) {
      throw new JsonSchemaError(`Invalid JSON schema: ${(error as Error).message}`);
    }
    if (compiled.size >= maxCachedSchemas) compiled.delete(compiled.keys().next().value!);
    compiled.set(key, validate);
  }
  return validate;
}

/** Checks an already parsed value against a schema. */
export function validateJsonValue<T>(schema: JsonSchema, value: unknown): JsonValidation<T> {
  const validate = compileJsonSchema(schema);
  if (validate(value)) return { ok: true, value: value as T };
  return { ok: false, error: describeErrors(validate.errors ?? []) };
}

/** Parses `text` as JSON and checks it against `schema`. */
export function validateJson<T>(schema: JsonSchema, text: string): JsonValidation<T> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const shown = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    return { ok: false, error: `not valid JSON (${(error as Error).message}): ${JSON.stringify(shown)}` };
  }
  return validateJsonValue<T>(schema, value);
}

/** "/edits/0/anchor must NOT have more than 200 characters; …" — at most five, for a message. */
export function describeErrors(errors: readonly ErrorObject[]): string {
  const lines = errors.slice(0, 5).map((error) => {
    const where = error.instancePath || "the answer";
    const extra = error.keyword === "additionalProperties" ? ` (${String(error.params.additionalProperty)})` : "";
    const allowed = error.keyword === "enum" ? ` (${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(", ")})` : "";
    return `${where} ${error.message ?? "is invalid"}${extra}${allowed}`;
  });
  if (errors.length > 5) lines.push(`and ${errors.length - 5} more`);
  return lines.join("; ");
}

/**
 * The schema to validate a grammar-constrained answer against. llama.cpp's grammar decodes a
 * malformed UTF-8 sequence (a lead byte followed by ASCII, as random or weak models emit) as one
 * character, while the text decoder turns the same bytes into up to four (U+FFFD and the bytes
 * after it). So every maxLength is allowed four times over here; everything else is unchanged.
 */
export function withGrammarDecodingSlack(schema: JsonSchema): JsonSchema {
  const relax = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(relax);
    if (!node || typeof node !== "object") return node;
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === "enum" || key === "const") copy[key] = value;
      else if (key === "maxLength" && typeof value === "number") copy[key] = value * 4;
      else copy[key] = relax(value);
    }
    return copy;
  };
  return relax(schema) as JsonSchema;
}
