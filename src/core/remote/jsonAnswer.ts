// A JSON answer from a remote server is checked here, whatever the server promised: a schema may be
// enforced (llama-server, vLLM, SGLang), merely encouraged (json_object mode) or ignored (a proxy).
import { validateJson, type JsonSchema } from "../json/validateJson.js";

export type JsonAnswerCheck = { ok: true; text: string; value: unknown } | { ok: false; reason: string };

/** The JSON inside an answer: as is, or inside a ```json fence (json_object mode sometimes adds one). */
export function extractJsonText(answer: string): string {
  return answer
    .trim()
    .replace(/^```(?:json)?[ \t]*\n?/i, "")
    .replace(/\n?```$/, "")
    .trim();
}

export function checkJsonAnswer(answer: string, schema: JsonSchema): JsonAnswerCheck {
  const text = extractJsonText(answer);
  const checked = validateJson<unknown>(schema, text);
  return checked.ok ? { ok: true, text, value: checked.value } : { ok: false, reason: checked.error };
}

/** For servers without json_schema: the schema goes into the conversation as an instruction. */
export function schemaInstruction(schema: JsonSchema): string {
  return `Answer with one JSON object only, no prose and no code fence. It must match this JSON Schema:\n${JSON.stringify(schema)}`;
}
