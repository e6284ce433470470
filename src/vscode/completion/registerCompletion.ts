// Wires ghost-text completion into the editor: the provider for every language (each switchable),
// the extra-context feed, the toggle command, and the status bar line (latency, tokens/s, cache).
import * as vscode from "vscode";
import { CompletionPipeline } from "../../core/completion/completionPipeline.js";
import { describeOutcome } from "../../core/completion/describeOutcome.js";
import type { CommandTable } from "../commandTable.js";
import type { ExtensionContextHolder } from "../extensionContext.js";
import type { EngineStatusBar } from "../statusBar.js";
import { CompletionGate } from "./completionGate.js";
import { ExtraContextFeed } from "./extraContextFeed.js";
import { DeepSeekInlineCompletionProvider, isLanguageEnabled } from "./inlineProvider.js";

export const toggleCompletionCommand = "deepseekLocal.toggleCompletion";
/** Escape while ghost text shows: hides it as VS Code's own Escape does, and stops it growing back. */
export const dismissGhostTextCommand = "deepseekLocal.dismissGhostText";
/** Tab in the moment a grown suggestion is being shown again (the provider's acceptWhileReshowing). */
export const acceptGhostTextCommand = "deepseekLocal.acceptGhostText";
/** Alt+] / Alt+[ on ghost text: VS Code's next / previous suggestion, with the alternatives asked for where VS Code would not ask. */
export const showNextGhostTextCommand = "deepseekLocal.showNextGhostText";
export const showPreviousGhostTextCommand = "deepseekLocal.showPreviousGhostText";

/**
 * After a keystroke in the active editor, the request starts at once, not when VS Code asks 50 ms
 * later: at 120 ms a key, those 50 ms decide whether a ghost shows before the next key (editor
 * bench, issue 25). Only after an edit (the cursor moves after the text changed) with one empty
 * selection; a cursor move alone asks nothing. Only for the local engine, where a request the next
 * key cancels costs nothing but CPU; a server (maybe paid) is asked when VS Code asks.
 */
function startRequestsAsTheUserTypes(
  provider: DeepSeekInlineCompletionProvider,
  isLocal: () => boolean,
  inlineSuggestEnabled: (document: vscode.TextDocument) => boolean,
): vscode.Disposable {
  const edited = new WeakSet<vscode.TextDocument>();
  return vscode.Disposable.from(
    vscode.workspace.onDidChangeTextDocument((event) => {
      if (event.contentChanges.length > 0) edited.add(event.document);
    }),
    vscode.window.onDidChangeTextEditorSelection((event) => {
      const editor = event.textEditor;
      const document = editor.document;
      if (!edited.delete(document) || !isLocal()) return;
      if (editor !== vscode.window.activeTextEditor || event.selections.length !== 1 || !event.selections[0]!.isEmpty) return;
      if (!inlineSuggestEnabled(document)) return;
      provider.startEarly(document, event.selections[0]!.active);
    }),
  );
}

/**
 * @param gate whether ghost text may show now (settings, snooze, language, backend); activation hands
 *   in the one the status bar and its menu share
 */
export function registerCompletion(ctx: ExtensionContextHolder, statusBar: EngineStatusBar, gate = new CompletionGate(ctx)): { pipeline: CompletionPipeline; commands: CommandTable } {
  const pipeline = new CompletionPipeline(ctx.engineFor("completion"), () => ctx.config.completion.pipeline, (line) => ctx.log.trace(line));
  ctx.own({ dispose: () => pipeline.dispose() });
  let lastError = "";

  const isEnabled = (languageId: string) => {
    const config = ctx.config.completion;
    return config.enabled && isLanguageEnabled(config.languages, languageId);
  };
  // The local engine answers only once loaded, the remote one is asked directly; nothing while snoozed.
  const isActive = (languageId: string) => gate.isActive(languageId);

  const provider = new DeepSeekInlineCompletionProvider(pipeline, {
    isActive,
    privacy: () => ctx.privacy.settings(),
    onOutcome: (outcome) => {
      lastError = "";
      const m = outcome.metrics;
      ctx.log.trace(
        `completion: ${outcome.source}, ${Math.round(outcome.latencyMs)} ms, ${outcome.text.length} chars` +
          (m ? `, prompt ${m.promptTokens} (${m.evaluatedTokens} evaluated, ${m.reusedTokens} reused), ${m.generatedTokens} generated` : ""),
      );
      statusBar.setDetail(describeOutcome(outcome));
    },
    trace: (line) => ctx.log.trace(line),
    onError: (error) => {
      const message = error instanceof Error ? error.message : String(error);
      // One log line per distinct failure, not one per keystroke.
      if (message !== lastError) ctx.log.warn(`completion failed: ${message}`);
      lastError = message;
      statusBar.setDetail("$(warning) completion failed");
    },
  });
  ctx.own(provider);
  ctx.own(vscode.languages.registerInlineCompletionItemProvider({ pattern: "**" }, provider));
  ctx.own(
    startRequestsAsTheUserTypes(
      provider,
      () => ctx.config.backends.backends.completion === "local",
      (document) => ctx.config.inlineSuggestEnabled(document),
    ),
  );
  const feed = ctx.own(
    new ExtraContextFeed(pipeline, {
      isActive,
      isEnabled,
      extraContextEnabled: () => ctx.config.completion.pipeline.extraContextChunks > 0,
      privacy: ctx.privacy,
      log: (line) => ctx.log.debug(line),
    }),
  );
  ctx.own(
    ctx.config.onDidChange((change) => {
      if (change.affects("completionSwitches")) feed.restart();
    }),
  );

  ctx.own(
    ctx.config.onDidChange((change) => {
      if (change.affects("completion")) pipeline.cache.clear();
    }),
  );
  return { pipeline, commands: completionCommands(ctx, provider) };
}

/** The ghost-text commands: key bindings on the suggestion, and the toggle. */
function completionCommands(ctx: ExtensionContextHolder, provider: DeepSeekInlineCompletionProvider): CommandTable {
  return {
    [dismissGhostTextCommand]: () => {
      provider.dismissed();
      return vscode.commands.executeCommand("editor.action.inlineSuggest.hide");
    },
    [acceptGhostTextCommand]: async () => {
      // Nothing to take after all (the user moved, or it was dismissed): Tab does what Tab does.
      if (!(await provider.acceptWhileReshowing())) await vscode.commands.executeCommand("tab");
    },
    [showNextGhostTextCommand]: () => provider.showOther("next"),
    [showPreviousGhostTextCommand]: () => provider.showOther("previous"),
    [toggleCompletionCommand]: async () => {
      const enabled = !ctx.config.completion.enabled;
      await ctx.config.setCompletionEnabled(enabled);
      void vscode.window.setStatusBarMessage(`DeepSeek Local: inline completion ${enabled ? "on" : "off"}`, 3000);
    },
  };
}
