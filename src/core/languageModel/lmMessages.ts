// VS Code's language model messages (vscode.lm, issue 23 item 3) as plain data, and their
// conversion into our conversation format. The editor edge turns its part classes
// (LanguageModelTextPart, …ToolCallPart, …ToolResultPart) into `LmPart`s; everything else here is
// pure, so the rules below are unit-tested without an editor.
import type { ChatMessage, ToolCall } from "../engine/chatEngine.js";

export type LmRole = "user" | "assistant" | "system";

export type LmPart =
  | { kind: "text"; text: string }
  | { kind: "toolCall"; callId: string; name: string; input: unknown }
  | { kind: "toolResult"; callId: string; content: string };

export interface LmMessage {
  role: LmRole;
  parts: readonly LmPart[];
}

/** What a tool call that the caller never answered gets as its result (servers refuse a call without one). */
export const unansweredToolResult = "The tool was not run.";

/**
 * The messages in our format. Text parts of a message are joined; an assistant's tool-call parts
 * become its `toolCalls`; a user message's tool results become `tool` messages answering those
 * calls, placed before its text (the order the model saw them in). A result whose call is not in
 * the conversation is kept as user text, and a call left unanswered is answered as not run, so
 * every backend (a template or an OpenAI-style server) gets a well-formed conversation.
 */
export function toChatMessages(messages: readonly LmMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let pending: string[] = [];
  const answerPending = (except: ReadonlySet<string>) => {
    for (const id of pending.filter((id) => !except.has(id))) out.push({ role: "tool", content: unansweredToolResult, toolCallId: id });
    pending = [];
  };
  for (const message of messages) {
    const text = message.parts.flatMap((part) => (part.kind === "text" ? [part.text] : [])).join("");
    if (message.role === "assistant") {
      answerPending(new Set());
      const toolCalls = message.parts.flatMap((part): ToolCall[] => (part.kind === "toolCall" ? [{ id: part.callId, name: part.name, arguments: JSON.stringify(part.input ?? {}) }] : []));
      if (!text && !toolCalls.length) continue;
      out.push(toolCalls.length ? { role: "assistant", content: text, toolCalls } : { role: "assistant", content: text });
      pending = toolCalls.map((call) => call.id);
      continue;
    }
    if (message.role === "system") {
      answerPending(new Set());
      if (text) out.push({ role: "system", content: text });
      continue;
    }
    const results = message.parts.flatMap((part) => (part.kind === "toolResult" ? [part] : []));
    const answered = results.filter((result) => pending.includes(result.callId));
    const orphans = results.filter((result) => !pending.includes(result.callId));
    for (const result of answered) out.push({ role: "tool", content: result.content, toolCallId: result.callId });
    answerPending(new Set(answered.map((result) => result.callId)));
    const userText = [...orphans.map((result) => `Result of tool call ${result.callId}:\n${result.content}`), ...(text ? [text] : [])].join("\n\n");
    if (userText) out.push({ role: "user", content: userText });
  }
  answerPending(new Set());
  return out;
}

/** The text a message's token count is taken from: its text, tool calls and tool results. */
export function lmMessageText(message: LmMessage): string {
  return message.parts
    .map((part) => {
      if (part.kind === "text") return part.text;
      if (part.kind === "toolCall") return `${part.name} ${JSON.stringify(part.input ?? {})}`;
      return part.content;
    })
    .join("");
}
