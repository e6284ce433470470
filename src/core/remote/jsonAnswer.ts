// A JSON answer from a remote server is checked here, whatever the server promised: a schema may be
// enforced (llama-server, vLLM, SGLang), merely encouraged (json_object mode) or ignored (a proxy).
import Ajv, { type ValidateFunction } from "ajv";

export type JsonAnswerCheck = { ok: true; text: string; value: unknown } | { ok: false; reason: string };

const ajv = new Ajv({ strict: false, allErrors: false });
const validators = new WeakMap<object, ValidateFunction>();

/** Compiles (once per schema object) or throws with the reason the schema is unusable. */
export function schemaValidator(schema: Record<string, unknown>): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    validators.set(schema, validate);
  }
  return validate;
}

/** The JSON inside an answer: as is, or inside a ```json fence (json_object mode sometimes adds one). */
export function extractJsonText(answer: string): string {
  return answer
    .trim()
    .replace(/^```(?:json)?[ \t]*\n?/i, "")
    .replace(/\n?```$/, "")
    .trim();
}

export function checkJsonAnswer(answer: string, schema: Record<string, unknown>): JsonAnswerCheck {
  const text = extractJsonText(answer);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const preview = text.length > 80 ? `${text.slice(0, 80)}…` : text;
    return { ok: false, reason: `the answer is not JSON (${(error as Error).message}): ${JSON.stringify(preview)}` };
  }
  const validate = schemaValidator(schema);
  if (!validate(value)) {
    const problems = (validate.errors ?? []).slice(0, 3).map((e) => `${e.instancePath || "(root)"} ${e.message ?? "is invalid"}`);
    return { ok: false, reason: `the answer does not match the schema: ${problems.join("; ")}` };
  }
  return { ok: true, text, value };
}

/** For servers without json_schema: the schema goes into the conversation as an instruction. */
export function schemaInstruction(schema: Record<string, unknown>): string {
  return `Answer with one JSON object only, no prose and no code fence. It must match this JSON Schema:\n${JSON.stringify(schema)}`;
}
