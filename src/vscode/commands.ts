// Every command in one table: id → handler. Titles live in package.json.
import * as vscode from "vscode";
import { describeCacheStats } from "../core/cache/describeCacheStats.js";
import type { ExtensionContextHolder } from "./extensionContext.js";

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
  "deepseekLocal.clearCache": async (ctx) => {
    await ctx.engine.clearCache?.();
    void vscode.window.showInformationMessage("DeepSeek Local: the prefix cache is empty.");
  },
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
