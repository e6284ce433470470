// Every command in one table: id → handler. Titles live in package.json. The extension-wide
// commands are below; each feature hands in the commands bound to its own objects (the chat
// session, the refactor runner, the completion provider), and `registerCommands` registers them all
// in one place, refusing an id twice. A command that needs the local engine running has a variant
// for when it does not run, chosen at each call, so that no handler starts or loads the engine as a
// side effect (rust-analyzer's editors/code `CommandFactory` has enabled/disabled variants the same way).
import * as vscode from "vscode";
import { clearCache, diskFolderCache, runningEngineCache, showCacheStats } from "./cacheCommands.js";
import { mergeCommandTables, type CommandHandler, type CommandTable } from "./commandTable.js";
import type { ExtensionContextHolder } from "./extensionContext.js";
import { openWalkthrough, setUpServer } from "./onboarding.js";
import { fixWithDeepSeek } from "./refactor/codeActions.js";
import { showStatusMenu, snoozeGhostText, toggleGhostTextForLanguage } from "./statusMenu.js";


/** A command bound to the engine's state at the moment it runs: `running` only while the engine is ready. */
function engineBound(ctx: ExtensionContextHolder, variants: { running: CommandHandler; notRunning: CommandHandler }): CommandHandler {
  return (...args) => (ctx.supervisor.state.kind === "ready" ? variants.running : variants.notRunning)(...args);
}

const extensionCommands = (ctx: ExtensionContextHolder): CommandTable => ({
  "deepseekLocal.restartEngine": async () => {
    try {
      const model = await ctx.supervisor.restart();
      void vscode.window.showInformationMessage(`DeepSeek Local: engine restarted (${model.name ?? model.path}).`);
    } catch {
      // The state listener already showed what went wrong.
    }
  },
  "deepseekLocal.stopEngine": () => ctx.supervisor.stop(),
  "deepseekLocal.showLog": () => ctx.log.show(),
  "deepseekLocal.showCacheStats": engineBound(ctx, {
    running: () => showCacheStats(ctx, runningEngineCache(ctx), true),
    notRunning: () => showCacheStats(ctx, diskFolderCache(ctx), false),
  }),
  "deepseekLocal.clearCache": engineBound(ctx, {
    running: () => clearCache(runningEngineCache(ctx), true),
    notRunning: () => clearCache(diskFolderCache(ctx), false),
  }),
  "deepseekLocal.showStatusMenu": () => showStatusMenu(ctx),
  "deepseekLocal.snoozeCompletion": (minutes) => snoozeGhostText(ctx.completionGate, minutes),
  "deepseekLocal.toggleCompletionForLanguage": () => toggleGhostTextForLanguage(ctx),
  "deepseekLocal.fixWithDeepSeek": (uri, range, message) => fixWithDeepSeek(uri, range, message),
  "deepseekLocal.openWalkthrough": () => openWalkthrough(),
  "deepseekLocal.setUpServer": () => setUpServer(),
  "deepseekLocal.setRemoteApiKey": () => ctx.backends.setApiKey(),
  "deepseekLocal.setRemoteHeaderSecret": () => ctx.backends.setHeaderSecret(),
  "deepseekLocal.clearRemoteApiKey": () => ctx.backends.clearApiKey(),
  "deepseekLocal.testRemoteConnection": () => ctx.backends.testConnection(),
  "deepseekLocal.selectModelFile": async () => {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { "GGUF model": ["gguf"] },
      title: "Select a DeepSeek GGUF model",
    });
    if (picked?.[0]) await ctx.config.setModelPath(picked[0].fsPath);
  },
});

/** Registers the one table: the extension's commands and each feature's. */
export function registerCommands(ctx: ExtensionContextHolder, ...featureTables: CommandTable[]): void {
  for (const [id, handler] of Object.entries(mergeCommandTables(extensionCommands(ctx), ...featureTables))) {
    ctx.own(vscode.commands.registerCommand(id, handler));
  }
}
