// Every command in one table: id → handler. Titles live in package.json.
import * as vscode from "vscode";
import { describeCacheStats, describeClearCache, describeClearedCache } from "../core/cache/describeCacheStats.js";
import type { ExtensionContextHolder } from "./extensionContext.js";
import { openWalkthrough, setUpServer } from "./onboarding.js";
import { fixWithDeepSeek } from "./refactor/codeActions.js";
import { showStatusMenu, snoozeGhostText, toggleGhostTextForLanguage } from "./statusMenu.js";

type CommandTable = Record<string, (ctx: ExtensionContextHolder, ...args: unknown[]) => unknown>;

const commands: CommandTable = {
  "deepseekLocal.restartEngine": async (ctx) => {
    try {
      const model = await ctx.supervisor.restart();
      void vscode.window.showInformationMessage(`DeepSeek Local: engine restarted (${model.name ?? model.path}).`);
    } catch {
      // The state listener already showed what went wrong.
    }
  },
  "deepseekLocal.stopEngine": (ctx) => ctx.supervisor.stop(),
  "deepseekLocal.showLog": (ctx) => ctx.log.show(),
  "deepseekLocal.showCacheStats": async (ctx) => {
    const stats = await ctx.engine.cacheStats?.();
    if (!stats) return void vscode.window.showInformationMessage("DeepSeek Local: this backend keeps no cache of its own.");
    const report = describeCacheStats(stats);
    ctx.log.info(report.replace(/\n/g, " · "));
    void vscode.window.showInformationMessage(report, { modal: true });
  },
  // Asks first, saying how much goes from where (issue 19): the folder is the user's choice.
  "deepseekLocal.clearCache": async (ctx) => {
    const disk = ctx.engine.clearCache ? ((await ctx.engine.cacheStats?.())?.disk ?? null) : null;
    const prompt = describeClearCache(disk);
    if (prompt.kind === "nothing" || !disk) return void vscode.window.showInformationMessage(prompt.message);
    const answer = await vscode.window.showWarningMessage(prompt.message, { modal: true, detail: prompt.detail }, prompt.confirm);
    if (answer !== prompt.confirm) return;
    try {
      await ctx.engine.clearCache!();
      void vscode.window.showInformationMessage(describeClearedCache(disk));
    } catch (error) {
      void vscode.window.showErrorMessage(`DeepSeek Local: could not clear the prefix cache in ${disk.directory}: ${(error as Error).message}`);
    }
  },
  "deepseekLocal.showStatusMenu": (ctx) => showStatusMenu(ctx),
  "deepseekLocal.snoozeCompletion": (ctx, minutes) => snoozeGhostText(ctx.completionGate, minutes),
  "deepseekLocal.toggleCompletionForLanguage": (ctx) => toggleGhostTextForLanguage(ctx),
  "deepseekLocal.fixWithDeepSeek": (_ctx, uri, range, message) => fixWithDeepSeek(uri, range, message),
  "deepseekLocal.openWalkthrough": () => openWalkthrough(),
  "deepseekLocal.setUpServer": () => setUpServer(),
  "deepseekLocal.selectModelFile": async (ctx) => {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { "GGUF model": ["gguf"] },
      title: "Select a DeepSeek GGUF model",
    });
    if (picked?.[0]) await ctx.config.setModelPath(picked[0].fsPath);
  },
};

export function registerCommands(ctx: ExtensionContextHolder): void {
  for (const [id, handler] of Object.entries(commands)) {
    ctx.own(vscode.commands.registerCommand(id, (...args: unknown[]) => handler(ctx, ...args)));
  }
}
