// What the chat's context providers read from the editor: diagnostics and the lines they point at,
// the git diff through the built-in git extension, the terminal's selection or last command. Turned into plain inputs here, into attachments
// by core/chat/context (budget, privacy).
import * as vscode from "vscode";
import { changesContext } from "../../core/chat/context/changes.js";
import { folderContext } from "../../core/chat/context/folder.js";
import { symbolContext } from "../../core/chat/context/symbol.js";
import { terminalContext } from "../../core/chat/context/terminal.js";
import { problemsContext, type ProblemFile, type ProblemSeverity } from "../../core/chat/context/problems.js";
import type { Attachment } from "../../core/chat/conversation.js";
import { privatePathReason, type PrivacySettings } from "../../core/privacy/secretPaths.js";
import type { ChatContextKind } from "../../protocol/chatContext.js";
import { gitApi, repositoryFor } from "../commitMessage/gitApi.js";
import { folderFiles, pickFolder } from "./folderPicker.js";
import { pickSymbol, symbolSource } from "./symbolPicker.js";
import type { TerminalOutputs } from "./terminalOutputs.js";

/** A command per provider, for the palette; the `@` menu runs the same. */
export const contextCommandIds: Record<ChatContextKind, string> = {
  problems: "deepseekLocal.chat.attachProblems",
  changes: "deepseekLocal.chat.attachChanges",
  terminal: "deepseekLocal.chat.attachTerminal",
  symbol: "deepseekLocal.chat.attachSymbol",
  folder: "deepseekLocal.chat.attachFolder",
};

/** Files of the workspace whose problems are read at most (each is opened to quote its lines). */
const maxProblemFiles = 30;
/** By `vscode.DiagnosticSeverity` (Error 0 … Hint 3, fixed by the API); an array, so loading this module reads nothing from vscode. */
const severities: readonly ProblemSeverity[] = ["error", "warning", "information", "hint"];

/** Why a file must stay out of the prompt under the user's privacy settings, or undefined. */
function privateReasonFor(privacy: PrivacySettings): (uri: vscode.Uri) => string | undefined {
  return (uri) => privatePathReason(vscode.workspace.asRelativePath(uri, false), privacy, { root: vscode.workspace.getWorkspaceFolder(uri)?.uri.fsPath, directory: false });
}

/** A file's problems; a private file is never opened (its problems are only counted, not quoted). */
async function problemFile(uri: vscode.Uri, diagnostics: readonly vscode.Diagnostic[], isPrivate: boolean): Promise<ProblemFile> {
  const document = isPrivate ? undefined : (vscode.workspace.textDocuments.find((open) => open.uri.toString() === uri.toString()) ?? (await vscode.workspace.openTextDocument(uri)));
  return {
    path: vscode.workspace.asRelativePath(uri, false),
    lines: document?.getText().split(/\r?\n/) ?? [],
    problems: diagnostics.map((diagnostic) => ({
      line: diagnostic.range.start.line,
      column: diagnostic.range.start.character,
      severity: severities[diagnostic.severity] ?? "error",
      message: diagnostic.message,
      source: diagnostic.source,
      code: typeof diagnostic.code === "object" ? String(diagnostic.code.value) : diagnostic.code === undefined ? undefined : String(diagnostic.code),
    })),
  };
}

/** `@problems`: the active file's diagnostics; without an active file, the workspace's. */
async function problemsAttachment(privacy: PrivacySettings): Promise<Attachment | string> {
  const reason = privateReasonFor(privacy);
  const active = vscode.window.activeTextEditor?.document;
  const entries: [vscode.Uri, readonly vscode.Diagnostic[]][] = active
    ? [[active.uri, vscode.languages.getDiagnostics(active.uri)]]
    : vscode.languages.getDiagnostics().filter(([uri, list]) => list.length && vscode.workspace.getWorkspaceFolder(uri));
  const privatePaths = new Set<string>();
  const files = await Promise.all(
    entries.slice(0, maxProblemFiles).map(([uri, list]) => {
      const isPrivate = reason(uri) !== undefined;
      if (isPrivate) privatePaths.add(vscode.workspace.asRelativePath(uri, false));
      return problemFile(uri, list, isPrivate);
    }),
  );
  return problemsContext(files, { scope: active ? "file" : "workspace", privateReason: (path) => (privatePaths.has(path) ? "private" : undefined) });
}

/** `@changes`: the staged and unstaged diff of the active file's repository (or the only one). */
async function changesAttachment(privacy: PrivacySettings): Promise<Attachment | string> {
  const git = await gitApi();
  if (typeof git === "string") return `The git changes cannot be read: ${git}`;
  const repository = repositoryFor(git, undefined);
  if (!repository) return git.repositories.length ? "Open a file of the repository whose changes to attach." : "No git repository is open.";
  const [staged, unstaged] = await Promise.all([repository.diff(true), repository.diff(false)]);
  const root = repository.rootUri.fsPath;
  return changesContext({ staged, unstaged }, { privateReason: (path) => privatePathReason(path, privacy, { root }), repositoryName: repository.rootUri.path.split("/").pop() || undefined });
}

/** `@symbol`: the picked symbol's source; undefined when the user dismissed the pick. */
async function symbolAttachment(privacy: PrivacySettings): Promise<Attachment | string | undefined> {
  const symbol = await pickSymbol();
  if (!symbol) return undefined;
  const reason = privateReasonFor(privacy)(symbol.location.uri);
  // A private file is not opened: the refusal needs its name only.
  if (reason) return `${symbol.name} is in ${vscode.workspace.asRelativePath(symbol.location.uri, false)}, ${reason}; it stays out of the chat.`;
  return symbolContext(await symbolSource(symbol), { privateReason: () => undefined });
}

/** `@folder`: the picked folder's files and their first lines; undefined when the user dismissed the pick. */
async function folderAttachment(privacy: PrivacySettings): Promise<Attachment | string | undefined> {
  const folder = await pickFolder();
  if (folder === undefined) return undefined;
  const reason = privateReasonFor(privacy);
  const files = await folderFiles(folder, (uri) => reason(uri) !== undefined);
  const privatePaths = new Set(files.filter((file) => file.private).map((file) => file.path));
  return folderContext(folder, files, { privateReason: (path) => (privatePaths.has(path) ? "private" : undefined) });
}

/** What the providers read besides the editor's own state. */
export interface ContextSources {
  privacy: PrivacySettings;
  terminals: TerminalOutputs;
}

/** The attachment a context provider makes now, a sentence saying why there is none, or undefined (the user cancelled a pick). */
export async function contextAttachmentFor(kind: ChatContextKind, sources: ContextSources): Promise<Attachment | string | undefined> {
  if (kind === "problems") return problemsAttachment(sources.privacy);
  if (kind === "changes") return changesAttachment(sources.privacy);
  if (kind === "symbol") return symbolAttachment(sources.privacy);
  if (kind === "folder") return folderAttachment(sources.privacy);
  const terminal = sources.terminals.active();
  return terminal ? terminalContext(terminal) : "There is no open terminal.";
}
