// A caller's "required" tool mode (vscode.lm's LanguageModelChatToolMode.Required: the model must
// call a tool). Our backends offer a tool or an answer (the tool step of core/chat/toolStep.ts, or a
// server's function calling); here the model is asked for one JSON object naming one of the tools
// with its arguments, under a schema (a grammar locally, response_format on a server), with no
// "none" to choose. The object is validated again before it becomes a call: model output is untrusted.
import { randomUUID } from "node:crypto";
import type { ChatEngine, ChatMessage, ToolCall, ToolDefinition } from "../engine/chatEngine.js";
import type { GenerationOptions } from "../engine/generation.js";
import { validateJson, type JsonSchema } from "../json/validateJson.js";
import { noToolName, toolStepSchema } from "../chat/toolStep.js";
import { EngineError } from "../../protocol/engine.js";

/** Enough for a bounded call object; a step that does not close within it is no call. */
export const requiredToolMaxTokens = 192;

/** The tool step's schema (the same call objects) without its "none". */
export function requiredToolSchema(tools: readonly ToolDefinition[]): JsonSchema {
  const step = toolStepSchema(tools) as { oneOf: { properties: { tool: { const: string } } }[] };
  return { oneOf: step.oneOf.filter((option) => option.properties.tool.const !== noToolName) };
}

export function requiredToolInstructions(tools: readonly ToolDefinition[]): string {
  const list = tools.map((tool) => `- ${tool.name}: ${tool.description} Arguments: ${JSON.stringify(tool.parameters)}`).join("\n");
  return `Call one of these tools now:\n${list}\nAnswer with one JSON object only: {"tool":"<name>","arguments":{…}}.`;
}

/**
 * The conversation for the step, plain: a tool call as the JSON the model wrote, a result as the
 * user's text, so every backend takes it whether or not it knows tool roles.
 */
function plainConversation(messages: readonly ChatMessage[], tools: readonly ToolDefinition[]): ChatMessage[] {
  const plain = messages.map((message): ChatMessage => {
    if (message.role === "tool") return { role: "user", content: `Tool result (${message.toolCallId ?? "tool"}):\n${message.content}` };
    if (!message.toolCalls?.length) return message;
    const calls = message.toolCalls.map((call) => `{"tool":${JSON.stringify(call.name)},"arguments":${call.arguments || "{}"}}`).join("\n");
    return { role: "assistant", content: [message.content, calls].filter(Boolean).join("\n") };
  });
  return [...plain.filter((m) => m.role === "system"), { role: "system", content: requiredToolInstructions(tools) }, ...plain.filter((m) => m.role !== "system")];
}

/** The tool the model calls, or undefined when its object did not validate or never closed. */
export async function requiredToolCall(
  engine: ChatEngine,
  request: { messages: readonly ChatMessage[]; tools: readonly ToolDefinition[]; temperature?: number },
  options: GenerationOptions,
  newId: () => string = randomUUID,
): Promise<ToolCall | undefined> {
  const schema = requiredToolSchema(request.tools);
  let text: string;
  try {
    const step = await engine.chat(
      { messages: plainConversation(request.messages, request.tools), jsonSchema: schema, maxTokens: requiredToolMaxTokens, temperature: request.temperature, sequence: "chat" },
      { signal: options.signal },
    );
    if (step.stopReason === "aborted") return undefined;
    text = step.text;
  } catch (error) {
    if (error instanceof EngineError && (error.code === "invalidJsonAnswer" || error.code === "tokenLimit")) return undefined;
    throw error;
  }
  const checked = validateJson<{ tool: string; arguments: unknown }>(schema, text.trim());
  if (!checked.ok) return undefined;
  return { id: `call_${newId().slice(0, 8)}`, name: checked.value.tool, arguments: JSON.stringify(checked.value.arguments) };
}
