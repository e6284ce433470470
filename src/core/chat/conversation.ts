// A conversation as the chat keeps, shows and saves it, and how it turns into model messages.
// Attachments (a selection, a file) stay separate from what the user typed so the transcript can
// show them as chips; they are folded into the user's message only when the prompt is built.
import { z } from "zod";
import type { ChatMessage } from "../engine/chatEngine.js";
import type { ChatContextKind } from "../../protocol/chatContext.js";

/** What a chat context provider (`@problems`, `@changes`) attached: core/chat/context. */
export const ContextKind = z.enum(["problems", "changes", "terminal", "symbol", "folder"]) satisfies z.ZodType<ChatContextKind>;
export type ContextKind = z.infer<typeof ContextKind>;

export const Attachment = z.object({
  kind: z.union([z.enum(["selection", "file"]), ContextKind]),
  /** Workspace-relative path, with the line range for a selection: "src/a.ts:10-24". */
  label: z.string(),
  path: z.string(),
  languageId: z.string(),
  text: z.string(),
  /** The token estimate its chip shows (context providers count it when they build the text). */
  tokens: z.number().optional(),
});
export type Attachment = z.infer<typeof Attachment>;

export const ChatEntry = z.object({
  id: z.string(),
  role: z.enum(["user", "assistant", "tool", "notice"]),
  content: z.string(),
  attachments: z.array(Attachment).optional(),
  /** Assistant entries that asked for tools. */
  toolCalls: z.array(z.object({ id: z.string(), name: z.string(), arguments: z.string() })).optional(),
  /** Tool entries: which call this is the result of, and whether it ran. */
  toolCallId: z.string().optional(),
  toolName: z.string().optional(),
  toolOk: z.boolean().optional(),
  /** Assistant entries: why generation ended ("maxTokens" offers Continue). */
  stopReason: z.string().optional(),
  /** Assistant entries: engine counters for the turn (shown on hover, used by tests). */
  metrics: z
    .object({
      promptTokens: z.number(),
      reusedTokens: z.number(),
      evaluatedTokens: z.number(),
      generatedTokens: z.number(),
      firstTokenMs: z.number().nullable(),
      /** The DeepSeek API's context cache: prompt tokens it billed as cache hits and misses. */
      serverCache: z.object({ hitTokens: z.number(), missTokens: z.number() }).optional(),
    })
    .optional(),
  /**
   * Assistant entries of a reasoning model: its thinking, shown collapsed. Sent back only with the
   * entry's tool calls, where a thinking-mode server requires it; an answer's thinking stays here.
   */
  reasoning: z.string().optional(),
});
export type ChatEntry = z.infer<typeof ChatEntry>;

export const Conversation = z.object({
  id: z.string(),
  title: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  entries: z.array(ChatEntry),
});
export type Conversation = z.infer<typeof Conversation>;

export interface ConversationSummary {
  id: string;
  title: string;
  updatedAt: number;
  entryCount: number;
}

export function summarize(conversation: Conversation): ConversationSummary {
  return { id: conversation.id, title: conversation.title, updatedAt: conversation.updatedAt, entryCount: conversation.entries.length };
}

export function newConversation(id: string, now: number): Conversation {
  return { id, title: "New chat", createdAt: now, updatedAt: now, entries: [] };
}

/** A title from the first question: its first line, shortened. */
export function titleFromQuestion(text: string): string {
  const line = text.trim().split("\n")[0]!.replace(/\s+/g, " ");
  if (!line) return "New chat";
  return line.length > 60 ? `${line.slice(0, 57)}…` : line;
}

/** A fence longer than any backtick run in the text, so attached code cannot close it early. */
export function fenceFor(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(longest + 1);
}

const attachmentHeadings: Record<Attachment["kind"], string> = { selection: "Selected code from", file: "File", problems: "The editor reports", changes: "Git", terminal: "From the", symbol: "The", folder: "The" };

export function renderAttachment(attachment: Attachment): string {
  const fence = fenceFor(attachment.text);
  return `${attachmentHeadings[attachment.kind]} ${attachment.label}:\n${fence}${attachment.languageId}\n${attachment.text}\n${fence}`;
}

/** The model's view of the conversation: system prompt, then entries (notices are for people only). */
export function toChatMessages(conversation: Conversation, systemPrompt: string): ChatMessage[] {
  const messages: ChatMessage[] = systemPrompt.trim() ? [{ role: "system", content: systemPrompt.trim() }] : [];
  for (const entry of conversation.entries) {
    if (entry.role === "notice") continue;
    if (entry.role === "user") {
      const parts = [...(entry.attachments ?? []).map(renderAttachment), entry.content];
      messages.push({ role: "user", content: parts.join("\n\n") });
    } else if (entry.role === "tool") {
      messages.push({ role: "tool", content: entry.content, toolCallId: entry.toolCallId });
    } else {
      const calls = entry.toolCalls?.length ? { toolCalls: entry.toolCalls, ...(entry.reasoning ? { reasoning: entry.reasoning } : {}) } : {};
      messages.push({ role: "assistant", content: entry.content, ...calls });
    }
  }
  return messages;
}

/** The conversation as a markdown document (Export). */
export function conversationToMarkdown(conversation: Conversation): string {
  const lines = [`# ${conversation.title}`, "", `_Exported from DeepSeek Local, ${new Date(conversation.updatedAt).toISOString()}_`, ""];
  for (const entry of conversation.entries) {
    if (entry.role === "user") {
      lines.push("## User", "");
      for (const attachment of entry.attachments ?? []) lines.push(renderAttachment(attachment), "");
      lines.push(entry.content, "");
    } else if (entry.role === "assistant") {
      if (entry.toolCalls?.length) {
        for (const call of entry.toolCalls) lines.push(`> Tool call: \`${call.name}\` ${call.arguments}`, "");
        if (!entry.content) continue;
      }
      lines.push("## Assistant", "", entry.content.trim(), "");
    } else if (entry.role === "tool") {
      const fence = fenceFor(entry.content);
      lines.push(`<details><summary>Tool result: ${entry.toolName ?? "tool"}</summary>`, "", `${fence}text`, entry.content, fence, "", "</details>", "");
    } else {
      lines.push(`> ${entry.content}`, "");
    }
  }
  return lines.join("\n");
}
