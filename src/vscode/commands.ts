// Every command in one table: id → handler. Titles live in package.json.
import * as vscode from "vscode";
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
