// Builds the extension from its parts and reports engine trouble to the user.
import * as vscode from "vscode";
import type { EngineState } from "../supervisor/engineSupervisor.js";
import { registerBackendSelection } from "./backendSelection.js";
import { registerChat } from "./chat/registerChat.js";
import { registerCommands } from "./commands.js";
import { registerCommitMessage } from "./commitMessage/registerCommitMessage.js";
import { registerCompletion } from "./completion/registerCompletion.js";
import { ExtensionContextHolder } from "./extensionContext.js";
import { registerModels } from "./models/registerModels.js";
import { registerLanguageModel } from "./languageModel/registerLanguageModel.js";
import { registerOnboarding } from "./onboarding.js";
import { registerCodeActions } from "./refactor/codeActions.js";
import { registerRefactors } from "./refactor/registerRefactors.js";
import { EngineStatusBar } from "./statusBar.js";
import { registerCompletionNote } from "./statusMenu.js";
import { openSettingsAt, type SettingsChange } from "./config.js";
import { engineAfterSettingsChange } from "../supervisor/reloadPolicy.js";

export async function activateExtension(vscodeContext: vscode.ExtensionContext): Promise<ExtensionContextHolder> {
  const ctx = new ExtensionContextHolder(vscodeContext);
  vscodeContext.subscriptions.push(ctx);
  const statusBar = ctx.own(new EngineStatusBar());
  ctx.own(ctx.supervisor.onStateChange((state) => {
    statusBar.setState(state);
    notifyUser(state);
  }));
  const chat = registerChat(ctx);
  const completion = registerCompletion(ctx, statusBar, ctx.completionGate);
  registerCompletionNote(ctx, statusBar);
  registerBackendSelection(ctx);
  const models = registerModels(ctx);
  const refactors = registerRefactors(ctx);
  registerCommands(ctx, chat, completion.commands, models, refactors, registerCommitMessage(ctx));
  ctx.own(registerCodeActions());
  registerOnboarding(ctx);
  registerLanguageModel(ctx);

  ctx.own(ctx.config.onDidChange((change) => applyEngineSettings(ctx, change)));

  const someFeatureIsLocal = Object.values(ctx.config.backends.backends).includes("local");
  if (ctx.config.startOnActivation && someFeatureIsLocal) {
    // Load in the background so the first completion does not wait for it; errors reach the user
    // through the state listener.
    void ctx.supervisor.ensureRunning().catch(() => undefined);
  }
  ctx.log.info("DeepSeek Local activated");
  return ctx;
}

/** A settings change reaches the engine only where it runs and some feature uses it (reloadPolicy.ts). */
function applyEngineSettings(ctx: ExtensionContextHolder, change: SettingsChange): void {
  if (!change.affects("engine") && !change.affects("backends")) return;
  const action = engineAfterSettingsChange({
    state: ctx.supervisor.state.kind,
    engineSettingsChanged: change.affects("engine"),
    someFeatureIsLocal: Object.values(ctx.config.backends.backends).includes("local"),
    modelConfigured: ctx.config.modelPath !== "",
  });
  if (action === "reload") {
    ctx.log.info("engine settings changed; loading the model again");
    void ctx.supervisor.reload().catch(() => undefined);
  } else if (action === "stop") {
    ctx.log.info("no feature needs the local engine now (or no model is set); stopping it");
    void ctx.supervisor.stop();
  }
}

function notifyUser(state: EngineState): void {
  switch (state.kind) {
    case "loadFailed":
      void vscode.window
        .showErrorMessage(`DeepSeek Local: ${state.error.message}`, "Select Model File…", "Open Settings")
        .then((choice) => {
          if (choice === "Select Model File…") void vscode.commands.executeCommand("deepseekLocal.selectModelFile");
          if (choice === "Open Settings") void openSettingsAt("deepseekLocal.model");
        });
      break;
    case "restarting":
      void vscode.window.showWarningMessage(`DeepSeek Local: ${state.reason}. Restarting the engine…`);
      break;
    case "failed":
      void vscode.window.showErrorMessage(`DeepSeek Local: ${state.message}`, "Restart Engine", "Show Log").then((choice) => {
        if (choice === "Restart Engine") void vscode.commands.executeCommand("deepseekLocal.restartEngine");
        if (choice === "Show Log") void vscode.commands.executeCommand("deepseekLocal.showLog");
      });
      break;
    default:
      break;
  }
}
