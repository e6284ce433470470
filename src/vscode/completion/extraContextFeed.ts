// Feeds the extra-context ring from what the user does in the editor — edits, saves, opened files,
// and (only when the user opted in) copied code — and, once the user has been idle for a moment,
// commits the queued chunks and warms the completion prompt up (like llama.vscode's ring buffer
// updates), cancelled by the next keystroke.
// What may enter (issue 19, item 6): only documents of languages the user has completion on for,
// only while extra context is on, never a file that looks like a secret or that git ignores (unless
// the user opted in to secret files) or that files.exclude hides, and the clipboard only on its own
// opt-in; the ring drops any chunk holding a recognisable secret. The prompt may go to a remote server.
import * as vscode from "vscode";
import { chunkAround } from "../../core/completion/extraContextRing.js";
import type { CompletionPipeline } from "../../core/completion/completionPipeline.js";
import type { PrivacySource } from "../workspacePrivacy.js";
import { completionInput, documentName, privateDocumentReason } from "./inlineProvider.js";

const chunkLines = 24;
const idleMs = 1200;
const trackedSchemes = new Set(["file", "untitled", "vscode-remote"]);

export interface ExtraContextFeedOptions {
  /** Whether completion may run now for a language (switches and engine state): warm-ups need it. */
  isActive(languageId: string): boolean;
  /** Whether the user has completion on for a language (completion.enabled and its switch). */
  isEnabled(languageId: string): boolean;
  /** completion.extraContext.enabled */
  extraContextEnabled(): boolean;
  /** What must not reach a prompt, and the clipboard opt-in. */
  privacy: PrivacySource;
  log(message: string): void;
}

export class ExtraContextFeed implements vscode.Disposable {
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Per document, the last line edited: offered as a chunk when the user goes idle. */
  private readonly editedLines = new Map<string, { document: vscode.TextDocument; line: number }>();
  /** Files already reported as left out, so the log says it once. */
  private readonly reported = new Set<string>();
  private idleTimer: NodeJS.Timeout | undefined;
  private warmup: AbortController | undefined;
  private lastClipboard = "";

  constructor(
    private readonly pipeline: CompletionPipeline,
    private readonly options: ExtraContextFeedOptions,
  ) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (!this.tracked(event.document) || event.contentChanges.length === 0) return;
        this.warmup?.abort();
        const line = event.contentChanges[0]!.range.start.line;
        if (this.admits(event.document)) this.editedLines.set(event.document.uri.toString(), { document: event.document, line });
        this.scheduleIdle();
      }),
      vscode.workspace.onDidSaveTextDocument((document) => {
        const editor = vscode.window.activeTextEditor;
        this.offer(document, editor?.document === document ? editor.selection.active.line : 0);
      }),
      vscode.window.onDidChangeActiveTextEditor((editor) => {
        // A request for the editor the user left is for no one.
        this.pipeline.cancel();
        if (editor) this.offer(editor.document, editor.selection.active.line);
        this.scheduleIdle();
      }),
      vscode.window.onDidChangeTextEditorSelection(() => this.scheduleIdle()),
      vscode.workspace.onDidCloseTextDocument((document) => {
        this.pipeline.forget(document.uri.toString());
        this.editedLines.delete(document.uri.toString());
      }),
      // A privacy setting or an ignore file changed: a file admitted before may be private now.
      options.privacy.onDidChange(() => this.restart()),
    );
  }

  /**
   * What the ring holds was admitted under the old rules: start again under the new ones (ghost text
   * switched on or off, for a language or everywhere; a privacy change).
   */
  restart(): void {
    this.pipeline.ring.clear();
    this.editedLines.clear();
    this.reported.clear();
    this.lastClipboard = "";
  }

  private tracked(document: vscode.TextDocument): boolean {
    return trackedSchemes.has(document.uri.scheme);
  }

  /** Whether a document's text may join the extra context under the user's switches. */
  private admits(document: vscode.TextDocument): boolean {
    if (!this.tracked(document) || !this.options.extraContextEnabled() || !this.options.isEnabled(document.languageId)) return false;
    const name = documentName(document);
    const reason = privateDocumentReason(document, this.options.privacy.settings());
    if (reason && !this.reported.has(name)) {
      this.reported.add(name);
      this.options.log(`completion: ${name} is left out of the extra context (${reason}; deepseekLocal.privacy.allowSecretFiles lets such files in)`);
    }
    return !reason;
  }

  private offer(document: vscode.TextDocument, line: number): void {
    if (!this.admits(document)) return;
    const start = Math.max(0, line - chunkLines);
    const end = Math.min(document.lineCount, line + chunkLines);
    const text = document.getText(new vscode.Range(start, 0, end, 0));
    this.pipeline.ring.offer({ filename: documentName(document), text: chunkAround(text, line - start, chunkLines) });
  }

  private scheduleIdle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => void this.onIdle(), idleMs);
  }

  private async onIdle(): Promise<void> {
    for (const { document, line } of this.editedLines.values()) this.offer(document, line);
    this.editedLines.clear();
    const editor = vscode.window.activeTextEditor;
    // No warm-up (a prompt of the file's text) for a file that must not reach a prompt.
    const active = !!editor && this.tracked(editor.document) && this.options.isActive(editor.document.languageId) && !privateDocumentReason(editor.document, this.options.privacy.settings());
    if (active && this.options.extraContextEnabled() && this.options.privacy.clipboardAllowed()) await this.offerClipboard();
    const input = active ? completionInput(editor.document, editor.selection.active) : undefined;
    this.warmup = new AbortController();
    try {
      if (await this.pipeline.refreshContext(input, this.warmup.signal)) this.options.log("completion: extra context updated and warmed up");
    } catch (error) {
      this.options.log(`completion warm-up failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Copied code hints at what comes next; VS Code has no copy event, so look when idle (opt-in only). */
  private async offerClipboard(): Promise<void> {
    // In a browser (code-server, vscode.dev) reading the clipboard asks the user for permission.
    if (vscode.env.uiKind !== vscode.UIKind.Desktop) return;
    const text = await vscode.env.clipboard.readText().then(
      (value) => value,
      () => "",
    );
    if (!text || text === this.lastClipboard || text.length > 8000) return;
    this.lastClipboard = text;
    this.pipeline.ring.offer({ filename: "clipboard", text: text.split("\n").slice(0, chunkLines * 2).join("\n") });
  }

  dispose(): void {
    clearTimeout(this.idleTimer);
    this.warmup?.abort();
    for (const subscription of this.subscriptions.splice(0)) subscription.dispose();
  }
}
