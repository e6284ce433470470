// The status-bar item's menu (a Quick Pick): ghost text for this language, snooze, the backend of
// each feature, the model, the engine, the cache and the log; and the item's note on why ghost text
// is off. core/statusMenu/menuItems.ts decides what is offered in which state.
import * as vscode from "vscode";
import { statusNote } from "../core/completion/completionAvailability.js";
import { clockTime, snoozeMinutes } from "../core/completion/snooze.js";
import { statusMenuEntries, type MenuAction, type MenuEntry } from "../core/statusMenu/menuItems.js";
import type { CompletionGate } from "./completion/completionGate.js";
import { isLanguageEnabled } from "./completion/inlineProvider.js";
import { openSettingsAt } from "./config.js";
import type { ExtensionContextHolder } from "./extensionContext.js";
import type { EngineStatusBar } from "./statusBar.js";

/** Keeps the status bar's note in step with the active editor, settings, engine and snooze. */
export function registerCompletionNote(ctx: ExtensionContextHolder, statusBar: EngineStatusBar): void {
  const gate = ctx.completionGate;
  const update = () => {
    const document = vscode.window.activeTextEditor?.document;
    const note = statusNote(gate.availability(document?.languageId, document), ctx.supervisor.state.kind, !vscode.workspace.isTrusted);
    statusBar.setCompletionNote(note);
  };
  ctx.own(gate.onDidChange(update));
  ctx.own(ctx.supervisor.onStateChange(update));
  ctx.own(vscode.window.onDidChangeActiveTextEditor(update));
  ctx.own(vscode.workspace.onDidGrantWorkspaceTrust(update));
  ctx.own(
    ctx.config.onDidChange((change) => {
      if (change.affects("any") || change.affects("completionSwitches")) update();
    }),
  );
  update();
}

/** Snoozes ghost text for `minutes`, or for a length picked from a Quick Pick when none is given. */
export async function snoozeGhostText(gate: CompletionGate, minutes?: unknown): Promise<void> {
  let length = typeof minutes === "number" && minutes > 0 ? minutes : undefined;
  if (length === undefined) {
    const now = Date.now();
    const items = snoozeMinutes.map((m) => ({ label: `${m} minutes`, description: `until ${clockTime(now + m * 60_000)}`, minutes: m }));
    const resume = gate.snooze.until === undefined ? [] : [{ label: "Resume now", description: `snoozed until ${clockTime(gate.snooze.until)}`, minutes: 0 }];
    const picked = await vscode.window.showQuickPick([...items, ...resume], { title: "Snooze DeepSeek ghost text" });
    if (!picked) return;
    if (picked.minutes === 0) return gate.resume();
    length = picked.minutes;
  }
  const until = gate.snoozeFor(length);
  void vscode.commands.executeCommand("editor.action.inlineSuggest.hide");
  vscode.window.setStatusBarMessage(`DeepSeek Local: ghost text snoozed until ${clockTime(until)}`, 3000);
}

/** Turns ghost text on or off for the active editor's language. */
export async function toggleGhostTextForLanguage(ctx: ExtensionContextHolder): Promise<void> {
  const languageId = vscode.window.activeTextEditor?.document.languageId;
  if (!languageId) return void vscode.window.showInformationMessage("DeepSeek Local: open a file to switch ghost text for its language.");
  const enabled = !isLanguageEnabled(ctx.config.completion.languages, languageId);
  await ctx.config.setCompletionLanguageEnabled(languageId, enabled);
  vscode.window.setStatusBarMessage(`DeepSeek Local: ghost text ${enabled ? "on" : "off"} for ${languageId}`, 3000);
}

function quickPickItems(entries: MenuEntry[]): (vscode.QuickPickItem & { action?: MenuAction })[] {
  return entries.map((entry) =>
    "separator" in entry ? { label: entry.separator, kind: vscode.QuickPickItemKind.Separator } : { label: entry.label, description: entry.description, action: entry.action },
  );
}

async function runAction(ctx: ExtensionContextHolder, action: MenuAction): Promise<unknown> {
  switch (action.kind) {
    case "command":
      return vscode.commands.executeCommand(action.command);
    case "setLanguageEnabled":
      return ctx.config.setCompletionLanguageEnabled(action.languageId, action.enabled);
    case "snooze":
      return snoozeGhostText(ctx.completionGate);
    case "resume":
      return ctx.completionGate.resume();
    case "setBackend":
      return ctx.config.setBackend(action.feature, action.backend);
    case "configureRemote":
      return openSettingsAt("deepseekLocal.remote");
  }
}

export async function showStatusMenu(ctx: ExtensionContextHolder): Promise<void> {
  const document = vscode.window.activeTextEditor?.document;
  const completion = ctx.config.completion;
  const backends = ctx.config.backends;
  const entries = statusMenuEntries({
    completionEnabled: completion.enabled,
    languageId: document?.languageId,
    languageEnabled: document ? isLanguageEnabled(completion.languages, document.languageId) : true,
    snoozedUntil: ctx.completionGate.snooze.until,
    backends: backends.backends,
    serverUrls: { completion: backends.servers.completion?.baseUrl, chat: backends.servers.chat?.baseUrl, refactor: backends.servers.refactor?.baseUrl },
    engine: ctx.supervisor.state.kind,
    modelPath: ctx.config.modelPath || undefined,
  });
  const picked = await vscode.window.showQuickPick(quickPickItems(entries), { title: "DeepSeek Local", placeHolder: "What should DeepSeek Local do?" });
  if (picked?.action) await runAction(ctx, picked.action);
}
