// VS Code's language model message parts as core/languageModel's plain parts. Parts are matched by
// class, and by shape as a fallback (a part revived in another extension host is a plain object).
import * as vscode from "vscode";
import type { LmMessage, LmPart } from "../../core/languageModel/lmMessages.js";

export function toLmMessage(message: vscode.LanguageModelChatRequestMessage): LmMessage {
  const role = message.role === vscode.LanguageModelChatMessageRole.User ? "user" : message.role === vscode.LanguageModelChatMessageRole.Assistant ? "assistant" : "system";
  return { role, parts: message.content.flatMap(toLmPart) };
}

function toLmPart(part: unknown): LmPart[] {
  if (part instanceof vscode.LanguageModelTextPart) return [{ kind: "text", text: part.value }];
  if (part instanceof vscode.LanguageModelToolCallPart) return [{ kind: "toolCall", callId: part.callId, name: part.name, input: part.input }];
  if (part instanceof vscode.LanguageModelToolResultPart) return [{ kind: "toolResult", callId: part.callId, content: lmToolResultText(part.content) }];
  if (!part || typeof part !== "object") return [];
  const shape = part as Record<string, unknown>;
  if (typeof shape.callId === "string" && typeof shape.name === "string" && "input" in shape) return [{ kind: "toolCall", callId: shape.callId, name: shape.name, input: shape.input }];
  if (typeof shape.callId === "string" && Array.isArray(shape.content)) return [{ kind: "toolResult", callId: shape.callId, content: lmToolResultText(shape.content) }];
  const text = partText(part);
  return text === undefined ? [] : [{ kind: "text", text }];
}

/** A tool result's parts as text: text as is, prompt-tsx and JSON data as JSON, other data left out. */
export function lmToolResultText(content: readonly unknown[]): string {
  return content.flatMap((part) => partText(part) ?? []).join("");
}

function partText(part: unknown): string | undefined {
  if (part instanceof vscode.LanguageModelTextPart) return part.value;
  if (part instanceof vscode.LanguageModelPromptTsxPart) return JSON.stringify(part.value);
  if (!part || typeof part !== "object") return undefined;
  const shape = part as Record<string, unknown>;
  if (typeof shape.value === "string") return shape.value;
  // A LanguageModelDataPart: text and JSON are readable to the model; images and binaries are not.
  if (typeof shape.mimeType === "string" && shape.data instanceof Uint8Array && /^(text\/|application\/json)/.test(shape.mimeType)) {
    return new TextDecoder().decode(shape.data);
  }
  return undefined;
}
