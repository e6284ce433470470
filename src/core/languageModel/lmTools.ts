// The tools a vscode.lm caller offers, as our ToolDefinitions, and the model's calls back as the
// caller's tool-call parts. On the local engine a tool's input schema becomes part of a grammar
// (core/chat/toolStep.ts), and node-llama-cpp's grammars take a subset of JSON Schema: there the
// schema is narrowed to that subset, so a tool from another extension cannot make the turn fail. A
// server gets the schema as written where our validator takes it (a server without native tool
// calls gets the same grammar step, validated by it), else narrowed too.
import type { ToolCall, ToolDefinition } from "../engine/chatEngine.js";
import { compileJsonSchema } from "../json/validateJson.js";
import { noToolName } from "../chat/toolStep.js";

export interface LmTool {
  name: string;
  description: string;
  /** JSON Schema of the tool's input; absent for a tool that takes none. */
  inputSchema?: object;
}

type Schema = Record<string, unknown>;

const noInput: Schema = { type: "object", properties: {}, additionalProperties: false };
const primitiveTypes = new Set(["string", "number", "integer", "boolean", "null"]);
const stringFormats = new Set(["date-time", "time", "date"]);
/**
 * What an unsupported part of a schema becomes: any JSON value but an object or array. Alternatives
 * rather than a type list: the validator (strict ajv, core/json/validateJson.ts) refuses type lists.
 */
const anyPrimitive: Schema = { oneOf: ["string", "number", "boolean", "null"].map((type) => ({ type })) };

export function toToolDefinitions(tools: readonly LmTool[] | undefined, options: { grammarSafe: boolean }): ToolDefinition[] | undefined {
  // "none" is the tool step's "answer instead" (core/chat/toolStep.ts): a tool of that name could never be chosen.
  const usable = tools?.filter((tool) => tool.name !== noToolName);
  if (!usable?.length) return undefined;
  return usable.map((tool) => {
    const schema = isObject(tool.inputSchema) && Object.keys(tool.inputSchema).length ? (tool.inputSchema as Schema) : noInput;
    const parameters = options.grammarSafe || !compiles(schema) ? grammarSafeSchema(schema, 0) : schema;
    return { name: tool.name, description: tool.description, parameters: parameters.type === "object" ? parameters : noInput };
  });
}

/**
 * `schema` in the subset a grammar takes: types, properties and `required`, items, enum, const,
 * oneOf/anyOf, string lengths and date formats. What has no grammar ($ref, allOf, patterns, open
 * objects) becomes a bounded form of it: an object closes over its listed properties, and an
 * unknown part takes a primitive value; the tool still validates the input it receives.
 */
export function grammarSafeSchema(schema: unknown, depth: number): Schema {
  if (!isObject(schema) || depth > 8) return anyPrimitive;
  const s = schema as Schema;
  const description = typeof s.description === "string" ? { description: s.description } : {};
  if ("const" in s && isPrimitive(s.const)) return { const: s.const, ...description };
  if (Array.isArray(s.enum)) {
    const values = s.enum.filter(isPrimitive);
    return values.length ? { enum: values, ...description } : anyPrimitive;
  }
  const alternatives = Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : undefined;
  if (alternatives?.length) return { oneOf: alternatives.map((part) => grammarSafeSchema(part, depth + 1)), ...description };
  if (s.type === "object") return objectSchema(s, depth, description);
  if (s.type === "array") {
    const bounds = pickNumbers(s, ["minItems", "maxItems"]);
    return { type: "array", items: s.items === undefined ? anyPrimitive : grammarSafeSchema(s.items, depth + 1), ...bounds, ...description };
  }
  if (s.type === "string") {
    const format = typeof s.format === "string" && stringFormats.has(s.format) ? { format: s.format } : {};
    return { type: "string", ...pickNumbers(s, ["minLength", "maxLength"]), ...format, ...description };
  }
  const listed = (Array.isArray(s.type) ? s.type : [s.type]).filter((type): type is string => typeof type === "string" && primitiveTypes.has(type));
  // An integer is a number too: both in `oneOf` would refuse every integer.
  const types = listed.includes("number") ? listed.filter((type) => type !== "integer") : listed;
  if (!types.length) return anyPrimitive;
  return types.length === 1 ? { type: types[0], ...description } : { oneOf: types.map((type) => ({ type })), ...description };
}

function objectSchema(s: Schema, depth: number, description: Schema): Schema {
  const properties = isObject(s.properties) ? Object.entries(s.properties as Schema) : [];
  const names = new Set(properties.map(([name]) => name));
  const required = Array.isArray(s.required) ? s.required.filter((name): name is string => typeof name === "string" && names.has(name)) : [];
  return {
    type: "object",
    properties: Object.fromEntries(properties.map(([name, value]) => [name, grammarSafeSchema(value, depth + 1)])),
    ...(required.length ? { required } : {}),
    additionalProperties: false,
    ...description,
  };
}

export type LmToolCallOutcome = { ok: true; callId: string; name: string; input: object } | { ok: false; note: string };

/** A call the model made, as the caller's tool-call part; its arguments must be a JSON object. */
export function toLmToolCall(call: ToolCall): LmToolCallOutcome {
  let input: unknown;
  try {
    input = JSON.parse(call.arguments || "{}");
  } catch {
    input = undefined;
  }
  if (!isObject(input)) return { ok: false, note: `(The model asked for the tool ${call.name} with arguments that are not a JSON object; the call was left out.)` };
  return { ok: true, callId: call.id, name: call.name, input: input as object };
}

/** Whether the validator takes the schema as written (a server's tool step is validated with it). */
function compiles(schema: Schema): boolean {
  try {
    compileJsonSchema(schema);
    return true;
  } catch {
    return false;
  }
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPrimitive(value: unknown): value is string | number | boolean | null {
  return value === null || ["string", "number", "boolean"].includes(typeof value);
}

function pickNumbers(s: Schema, keys: readonly string[]): Schema {
  return Object.fromEntries(keys.flatMap((key) => (typeof s[key] === "number" ? [[key, s[key]]] : [])));
}
