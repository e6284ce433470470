// The editor edge of ghost-text completion: document + position → the core pipeline's plain input,
// CancellationToken → AbortSignal, outcome → InlineCompletionItem and a status bar line; and when a
// shown suggestion grows (a preview, then its whole), asking VS Code to show it again.
import * as vscode from "vscode";
import type { CompletionInput, CompletionOutcome, CompletionPipeline } from "../../core/completion/completionPipeline.js";
import { inputWithSelectedItem, textOverSelectedItem, type SelectedItem } from "../../core/completion/selectedItem.js";
import { privatePathReason, type PrivacySettings } from "../../core/privacy/secretPaths.js";
import { EngineError } from "../../protocol/engine.js";

/**
 * A suggestion that grew is shown this long after it grew, if the user has not typed or moved
 * meanwhile: longer than a key interval at typing speed (editor bench, issue 25).
 */
export const growthQuietMs = 150;

/**
 * Set while a grown suggestion is hidden and asked for again (showAgain): Escape then reaches the
 * dismiss command (package.json), whose binding otherwise needs a suggestion visible.
 */
export const reshowingContextKey = "deepseekLocal.ghostTextReshowing";
/**
 * How long the re-ask keeps Escape and Tab bound once its answer went to VS Code (to be drawn: on a
 * loaded machine that takes a few hundred ms, and a Tab meanwhile would indent), or at most.
 */
export const reshowBindMs = { afterAnswer: 500, atMost: 1_500 };

/** Lines around the cursor handed to the pipeline; its windows are far smaller than this. */
const linesBefore = 3000;
const linesAfter = 500;

export function isLanguageEnabled(languages: Record<string, boolean>, languageId: string): boolean {
  return languages[languageId] ?? languages["*"] ?? true;
}

export function documentName(document: vscode.TextDocument): string {
  return document.isUntitled ? document.uri.path : vscode.workspace.asRelativePath(document.uri, false);
}

/**
 * Why a document must not reach a completion prompt (it looks like a secret, git ignores it, or
 * files.exclude hides it), or undefined. Its text would go to the model, maybe a remote one, and into
 * the disk cache.
 */
export function privateDocumentReason(document: vscode.TextDocument, settings: PrivacySettings): string | undefined {
  const folder = document.uri.scheme === "file" ? vscode.workspace.getWorkspaceFolder(document.uri) : undefined;
  return privatePathReason(documentName(document), settings, { root: folder?.uri.fsPath, directory: false });
}

/** The pipeline's input for a cursor: whole lines around it, and the cursor as an offset. */
export function completionInput(document: vscode.TextDocument, position: vscode.Position, explicit = false): CompletionInput {
  const firstLine = Math.max(0, position.line - linesBefore);
  const lastLine = Math.min(document.lineCount - 1, position.line + linesAfter);
  const start = new vscode.Position(firstLine, 0);
  const text = document.getText(new vscode.Range(start, document.lineAt(lastLine).rangeIncludingLineBreak.end));
  return {
    documentId: document.uri.toString(),
    filename: documentName(document),
    text,
    offset: document.offsetAt(position) - document.offsetAt(start),
    firstLine,
    explicit,
  };
}

/** The suggest widget's selected item as offsets into `input`'s text, or undefined when none is selected. */
function selectedItemIn(document: vscode.TextDocument, input: CompletionInput, info: vscode.SelectedCompletionInfo | undefined): SelectedItem | undefined {
  if (!info) return undefined;
  const windowStart = document.offsetAt(new vscode.Position(input.firstLine ?? 0, 0));
  return { start: document.offsetAt(info.range.start) - windowStart, end: document.offsetAt(info.range.end) - windowStart, text: info.text };
}

export interface ProviderHooks {
  /** Whether completion may run now for this language (setting, toggle, engine state). */
  isActive(languageId: string): boolean;
  /** What must not reach a prompt (workspacePrivacy.ts). */
  privacy(): PrivacySettings;
  onOutcome(outcome: CompletionOutcome): void;
  onError(error: unknown): void;
  /** A line at the log's trace level. */
  trace(line: string): void;
}

/** Where a model suggestion was shown, and its text: it may grow there while the user has not moved. */
interface ShownAt {
  document: vscode.TextDocument;
  version: number;
  position: vscode.Position;
  text: string;
  /**
   * VS Code asked for it with Invoke (our grow trigger, Alt+\, Alt+]). While it holds an Invoke
   * answer it does not ask again at the same place and document version (Alt+] cycles within
   * that answer) until the answer is hidden.
   */
  invoked: boolean;
  /** The alternatives went with it: Alt+] cycles through them. */
  withAlternatives: boolean;
}

export class DeepSeekInlineCompletionProvider implements vscode.InlineCompletionItemProvider, vscode.Disposable {
  private shownAt: ShownAt | undefined;
  private growthTimer: NodeJS.Timeout | undefined;
  /** A grown suggestion hidden and asked for again; `dismissed`: Escape came meanwhile, its answer must not show. */
  private reshowing: { shown: ShownAt; dismissed: boolean } | undefined;
  private reshowTimer: NodeJS.Timeout | undefined;
  private readonly unsubscribe: () => void;

  constructor(
    private readonly pipeline: CompletionPipeline,
    private readonly hooks: ProviderHooks,
  ) {
    this.unsubscribe = pipeline.onSuggestionGrew((grown) => {
      const shown = this.shownAt;
      if (!shown || grown.documentId !== shown.document.uri.toString() || !this.userIsAt(shown)) return;
      // Shown once the user has stopped typing: showing it hides the suggestion for a moment, and
      // the next key (at typing speed) would meet no ghost text at all.
      clearTimeout(this.growthTimer);
      this.growthTimer = setTimeout(() => {
        if (this.shownAt !== shown || !this.userIsAt(shown)) return;
        this.hooks.trace("completion grew where it is shown: asking the editor to show it");
        void this.showAgain(shown);
      }, growthQuietMs);
    });
  }

  /** The user is still where `shown` is, with nothing typed or selected since: VS Code then asks again, and the cache answers at once. */
  private userIsAt(shown: ShownAt): boolean {
    const editor = vscode.window.activeTextEditor;
    if (!editor || editor.document !== shown.document || shown.document.version !== shown.version) return false;
    return editor.selection.isEmpty && editor.selection.active.isEqual(shown.position);
  }

  /**
   * Makes VS Code ask again here and show the answer. Its trigger alone would not: an Invoke keeps
   * the suggestion shown now selected (the preview stays, its grown answer second in the list),
   * and after an Invoke answer it does not ask at all. So what it shows is hidden first.
   */
  private async showAgain(shown: ShownAt): Promise<void> {
    this.reshowing = { shown, dismissed: false };
    this.endReshowIn(reshowBindMs.atMost);
    await vscode.commands.executeCommand("setContext", reshowingContextKey, true);
    await vscode.commands.executeCommand("editor.action.inlineSuggest.hide");
    await vscode.commands.executeCommand("editor.action.inlineSuggest.trigger");
  }

  private endReshowIn(ms: number): void {
    clearTimeout(this.reshowTimer);
    this.reshowTimer = setTimeout(() => {
      this.reshowing = undefined;
      void vscode.commands.executeCommand("setContext", reshowingContextKey, false);
    }, ms);
  }

  /**
   * Alt+] / Alt+[. VS Code's own commands ask the provider for more only when the answer it holds
   * came from an automatic request; after a grown suggestion (or Alt+\) it holds an Invoke answer
   * and would cycle within that one suggestion. Then the alternatives are computed first, with the
   * suggestion still shown, then VS Code asks again (showAgain) and gets them, and moves on to one.
   */
  async showOther(direction: "next" | "previous"): Promise<void> {
    const command = direction === "next" ? "editor.action.inlineSuggest.showNext" : "editor.action.inlineSuggest.showPrevious";
    const editor = vscode.window.activeTextEditor;
    const shown = this.shownAt;
    const heldWithout = !!editor && !!shown && shown.invoked && !shown.withAlternatives && editor.selection.isEmpty && this.isShownHere(editor.document, editor.selection.active, shown.text);
    if (!heldWithout) return void (await vscode.commands.executeCommand(command));
    const controller = new AbortController();
    const typed = vscode.workspace.onDidChangeTextDocument((event) => event.document === shown.document && controller.abort());
    try {
      const alternatives = await this.pipeline.alternatives(completionInput(shown.document, shown.position, true), shown.text, controller.signal);
      if (controller.signal.aborted || this.shownAt !== shown) return;
      // None to offer (a server backend, or all alike): VS Code cycles what it holds (other providers').
      if (alternatives.length > 0) await this.showAgain(shown);
      await vscode.commands.executeCommand(command);
    } finally {
      typed.dispose();
    }
  }

  dispose(): void {
    clearTimeout(this.growthTimer);
    clearTimeout(this.reshowTimer);
    this.unsubscribe();
  }

  private isShownHere(document: vscode.TextDocument, position: vscode.Position, text: string): boolean {
    const shown = this.shownAt;
    const sameDocument = !!shown && shown.document.uri.toString() === document.uri.toString() && shown.version === document.version;
    return sameDocument && shown!.position.isEqual(position) && shown!.text === text;
  }

  /**
   * Tab while a grown suggestion is hidden and asked for again (showAgain): VS Code shows nothing
   * for that moment, so its own Tab would indent. The suggestion the user saw is inserted instead,
   * and the re-ask's answer (for the place before it) is refused. False where there is none to take.
   */
  async acceptWhileReshowing(): Promise<boolean> {
    const reshow = this.reshowing;
    const editor = vscode.window.activeTextEditor;
    if (!reshow || reshow.dismissed || !editor || !reshow.shown.text || !this.userIsAt(reshow.shown)) return false;
    reshow.dismissed = true;
    this.shownAt = undefined;
    clearTimeout(this.growthTimer);
    const { position, text } = reshow.shown;
    this.hooks.trace("completion accepted (Tab) while it was being shown again");
    return editor.edit((builder) => builder.insert(position, text));
  }

  /** The user dismissed the ghost text (Escape): it must not come back when its answer grows. */
  dismissed(): void {
    this.shownAt = undefined;
    clearTimeout(this.growthTimer);
    if (this.reshowing) this.reshowing.dismissed = true;
  }

  /**
   * Starts the model request for where the user just typed, before VS Code asks (it waits 50 ms
   * after a keystroke); its call then joins this request. Failures reach that call, not this one.
   */
  startEarly(document: vscode.TextDocument, position: vscode.Position): void {
    if (!this.hooks.isActive(document.languageId) || privateDocumentReason(document, this.hooks.privacy())) return;
    this.pipeline.complete(completionInput(document, position), new AbortController().signal).catch(() => undefined);
  }

  async provideInlineCompletionItems(
    document: vscode.TextDocument,
    position: vscode.Position,
    context: vscode.InlineCompletionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.InlineCompletionItem[] | undefined> {
    if (!this.hooks.isActive(document.languageId) || privateDocumentReason(document, this.hooks.privacy())) return undefined;
    const invoked = context.triggerKind === vscode.InlineCompletionTriggerKind.Invoke;
    // Our own re-ask of a grown suggestion (showAgain): refused if the user dismissed it meanwhile.
    const reshow = invoked && this.reshowing && this.reshowing.shown.document === document && this.reshowing.shown.position.isEqual(position) ? this.reshowing : undefined;
    const typed = completionInput(document, position, invoked);
    const selected = selectedItemIn(document, typed, context.selectedCompletionInfo);
    const input = selected ? inputWithSelectedItem(typed, selected) : typed;
    if (!input) return undefined;
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    try {
      if (token.isCancellationRequested) return undefined;
      const outcome = await this.pipeline.complete(input, controller.signal);
      if (reshow?.dismissed) {
        this.hooks.trace("completion invoked: dismissed while it was shown again");
        return undefined;
      }
      if (!outcome || token.isCancellationRequested) {
        if (invoked) this.hooks.trace(`completion invoked: ${outcome ? "cancelled by the editor" : "no suggestion"}`);
        return undefined;
      }
      this.hooks.onOutcome(outcome);
      // Alternatives when the user asks for more (Alt+]: VS Code invokes the provider) of the
      // suggestion shown here, unchanged. An Invoke that finds it grown is this provider's own
      // trigger showing the rest (or the user's key meeting it first: the rest shows, the next Alt+]
      // brings the alternatives); Alt+\ at a new place shows the first answer without waiting.
      const wantsAlternatives = invoked && outcome.source === "cache" && this.isShownHere(document, position, outcome.text);
      const shown: ShownAt = { document, version: document.version, position, text: outcome.text, invoked, withAlternatives: wantsAlternatives };
      const before = this.shownAt;
      this.shownAt = shown;
      if (!outcome.text) return undefined;
      const alternatives = wantsAlternatives ? await this.pipeline.alternatives(input, outcome.text, controller.signal) : [];
      if (token.isCancellationRequested) {
        // VS Code did not take this answer: it holds what it had.
        if (this.shownAt === shown) this.shownAt = before;
        return undefined;
      }
      if (invoked) this.hooks.trace(`completion invoked: ${wantsAlternatives ? `${alternatives.length} alternative(s) after the shown suggestion` : "a suggestion not shown here yet"}`);
      this.pipeline.suggestionShown(input, outcome.text);
      // The greedy answer first; VS Code cycles the rest with Alt+] / Alt+[.
      const texts = [outcome.text, ...alternatives];
      if (!selected) return texts.map((text) => new vscode.InlineCompletionItem(text, new vscode.Range(position, position)));
      const overItem = texts.map((text) => textOverSelectedItem(selected, text));
      if (overItem[0] === undefined) return undefined;
      return overItem.filter((text) => text !== undefined).map((text) => new vscode.InlineCompletionItem(text, context.selectedCompletionInfo!.range));
    } catch (error) {
      if (!(error instanceof EngineError && error.code === "cancelled")) this.hooks.onError(error);
      return undefined;
    } finally {
      subscription.dispose();
      if (reshow && this.reshowing === reshow) this.endReshowIn(reshowBindMs.afterAnswer);
    }
  }
}
