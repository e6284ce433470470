// First run: the "Get Started" view beside the chat (its welcome content lives in package.json
// `viewsWelcome`; a webview view such as the chat cannot show welcome content) while neither a model
// nor a server is set, and the walkthrough's commands.
import * as vscode from "vscode";
import { openSettingsAt } from "./config.js";
import type { ExtensionContextHolder } from "./extensionContext.js";

/** The context key package.json's `when` clauses read: true while no model and no server is set. */
export const needsSetupContextKey = "deepseekLocal.needsSetup";
export const welcomeViewId = "deepseekLocal.welcome";
export const walkthroughId = "deepseek-local.deepseek-local#deepseekLocal.gettingStarted";

/** An always-empty tree, so VS Code shows the view's welcome content. */
const emptyTree: vscode.TreeDataProvider<never> = { getTreeItem: (element) => element, getChildren: () => [] };

export function registerOnboarding(ctx: ExtensionContextHolder): void {
  ctx.own(vscode.window.registerTreeDataProvider(welcomeViewId, emptyTree));
  const update = () => {
    const backends = ctx.config.backends;
    const needsSetup = !ctx.config.modelPath && !backends.remote && !Object.values(backends.servers).some(Boolean);
    void vscode.commands.executeCommand("setContext", needsSetupContextKey, needsSetup);
  };
  ctx.own(
    ctx.config.onDidChange((change) => {
      if (change.affects("model") || change.affects("backends")) update();
    }),
  );
  update();
}

export function openWalkthrough(): Thenable<unknown> {
  return vscode.commands.executeCommand("workbench.action.openWalkthrough", walkthroughId, false);
}

export function setUpServer(): Thenable<unknown> {
  return openSettingsAt("deepseekLocal.remote");
}
