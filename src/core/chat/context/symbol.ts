// `@symbol`: a workspace symbol the user picked (a function, class, interface…), with its source.
// A symbol in a private file is refused (its source would be its contents); a long one is cut to the
// budget at a line boundary, saying how much was left out.
import type { Attachment } from "../conversation.js";
import { contextAttachment, defaultContextTokens, takeWithinBudget } from "./contextProvider.js";

export interface SymbolSource {
  name: string;
  /** "function", "class": what the language server calls it. */
  kind: string;
  /** Workspace-relative path of its file. */
  path: string;
  languageId: string;
  /** 0-based line where its source starts. */
  startLine: number;
  /** Its source, from the declaration's first line to its last. */
  text: string;
}

export function symbolContext(symbol: SymbolSource, options: { privateReason: (path: string) => string | undefined; maxTokens?: number }): Attachment | string {
  const reason = options.privateReason(symbol.path);
  if (reason) return `${symbol.name} is in ${symbol.path}, ${reason}; it stays out of the chat.`;
  const lines = symbol.text.split("\n");
  const { kept, left } = takeWithinBudget(lines, options.maxTokens ?? defaultContextTokens);
  const endLine = symbol.startLine + kept.length;
  const note = left ? `\n… (${left} more lines of ${symbol.name} cut)` : "";
  const attachment = contextAttachment("symbol", `${symbol.kind} ${symbol.name} (${symbol.path}:${symbol.startLine + 1}-${endLine})`, kept.join("\n") + note, symbol.path);
  return { ...attachment, languageId: symbol.languageId };
}
