// Tool calls for a local model: before answering, the model takes one grammar-constrained step, a
// small JSON object that names a tool (with its arguments) or "none". The grammar makes the step
// always parse; the schema is bounded so it always closes within a few dozen tokens (ENGINE-FACTS);
// the answer is then validated again with a JSON Schema validator, since model output is untrusted.
import { randomUUID } from "node:crypto";
import type { ToolCall, ToolDefinition } from "../engine/chatEngine.js";
import { validateJson, type JsonSchema } from "../json/validateJson.js";

export const noToolName = "none";

/** The JSON Schema of the step: `{"tool":"none"}` or `{"tool":<name>,"arguments":<its parameters>}`. */
export function toolStepSchema(tools: readonly ToolDefinition[]): JsonSchema {
  return {
    oneOf: [
      { type: "object", properties: { tool: { const: noToolName } }, required: ["tool"], additionalProperties: false },
      ...tools.map((tool) => ({
        type: "object",
        properties: { tool: { const: tool.name }, arguments: tool.parameters },
        required: ["tool", "arguments"],
        additionalProperties: false,
      })),
    ],
  };
}

/** What the system prompt tells the model about the step, so its choice is informed. */
export function toolStepInstructions(tools: readonly ToolDefinition[]): string {
  const list = tools.map((tool) => `- ${tool.name}: ${tool.description} Arguments: ${JSON.stringify(tool.parameters)}`).join("\n");
  return (
    "You can use these tools on the user's workspace before answering:\n" +
    `${list}\n` +
    `Begin each answer with a JSON object: {"tool":"<name>","arguments":{…}} to run a tool, or {"tool":"${noToolName}"} to answer directly. ` +
    "A tool's result comes back as the next message."
  );
}

export type ToolStep = { kind: "answer" } | { kind: "tool"; call: ToolCall } | { kind: "invalid"; error: string };

/** Reads the model's step; anything that does not validate is `invalid` (the caller answers instead). */
export function parseToolStep(text: string, tools: readonly ToolDefinition[], newId: () => string = randomUUID): ToolStep {
  const checked = validateJson<{ tool: string; arguments?: unknown }>(toolStepSchema(tools), text.trim());
  if (!checked.ok) return { kind: "invalid", error: checked.error };
  if (checked.value.tool === noToolName) return { kind: "answer" };
  return { kind: "tool", call: { id: `call_${newId().slice(0, 8)}`, name: checked.value.tool, arguments: JSON.stringify(checked.value.arguments) } };
}
