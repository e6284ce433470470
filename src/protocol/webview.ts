// The host ↔ chat page protocol. Both sides import this file. The host validates every message
// from the page (zod); the page imports types only (`import type`), so zod stays out of its bundle.
import { z } from "zod";
import { ContextKind, type Attachment, type ChatEntry, type Conversation, type ConversationSummary } from "../core/chat/conversation.js";
import { maxMessageChars } from "./chatLimits.js";

/** What the page shows; sent whole on `ready` and after every change that is not a text chunk. */
export interface ChatViewState {
  conversation: Conversation;
  history: ConversationSummary[];
  /** Attachments waiting for the next message. */
  pending: Attachment[];
  /** The entry being generated, if any. */
  streamingEntryId: string | null;
  /** "DeepSeek-Coder-V2-Lite (local)" or why there is no model. */
  modelLabel: string;
  /** Where the chat runs, in a sentence: this machine, or the remote server's host (what is sent there). */
  location: string;
  /**
   * Tokens the pending attachments may take together: what the last prompt was fitted to (the
   * context less the answer's room), less the conversation before them. Null until a turn has run.
   */
  attachmentBudget?: number | null;
  /** The refactor actions (built-in and the user's own) that `/` in the composer offers. */
  slashCommands?: SlashCommand[];
}

/** A refactor action as the composer's `/` menu lists it; run on the active editor's selection. */
export interface SlashCommand {
  /** The action's id: "simplify", "custom.tidy-up". */
  id: string;
  title: string;
  /** The text typed after the command is its instruction ("Refactor with Instruction…"). */
  takesInstruction: boolean;
}

export type HostMessage =
  | { type: "state"; state: ChatViewState }
  /** A chunk of the streaming entry's text. */
  | { type: "chunk"; entryId: string; text: string }
  /** A chunk of the streaming entry's reasoning (a reasoning model's thinking, shown collapsed). */
  | { type: "reasoning"; entryId: string; text: string }
  /** An entry was added or replaced (tool calls, the finished answer). */
  | { type: "entry"; entry: ChatEntry }
  | { type: "error"; message: string }
  | { type: "focusInput" };

const id = z.string().min(1).max(64);

export const PageMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("ready") }),
  z.object({ type: z.literal("send"), text: z.string().max(maxMessageChars) }),
  z.object({ type: z.literal("stop") }),
  /** Continue an answer: from its current text, or from an edited start (`prefix`). */
  z.object({ type: z.literal("continue"), entryId: id, prefix: z.string().max(maxMessageChars).optional() }),
  z.object({ type: z.literal("newChat") }),
  z.object({ type: z.literal("open"), conversationId: id }),
  z.object({ type: z.literal("rename"), conversationId: id }),
  z.object({ type: z.literal("delete"), conversationId: id }),
  z.object({ type: z.literal("export"), conversationId: id }),
  z.object({ type: z.literal("attachSelection") }),
  z.object({ type: z.literal("attachFile") }),
  /** The user typed `@`: pick a workspace file to attach. */
  z.object({ type: z.literal("pickFile") }),
  /** The user chose a context provider in the `@` menu (`@problems`, `@changes`). */
  z.object({ type: z.literal("attachContext"), kind: ContextKind }),
  /** `/action instruction` in the composer: run that refactor action on the editor's selection. */
  z.object({ type: z.literal("runAction"), actionId: z.string().min(1).max(100), instruction: z.string().max(maxMessageChars).optional() }),
  z.object({ type: z.literal("removeAttachment"), index: z.number().int().min(0).max(100) }),
  z.object({ type: z.literal("code"), action: z.enum(["copy", "insert", "apply"]), code: z.string().max(1_000_000), language: z.string().max(64) }),
  z.object({ type: z.literal("openLink"), href: z.string().max(2048) }),
]);
export type PageMessage = z.infer<typeof PageMessage>;

/** What the page keeps with getState/setState across hide/show and reloads. */
export interface PageState {
  draft: string;
  historyOpen: boolean;
  scrollTop: number;
  /** The last state the host sent, drawn at once before the host answers `ready`. */
  last: ChatViewState | null;
}
