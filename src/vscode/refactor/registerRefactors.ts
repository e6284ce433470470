// Refactor commands: one per built-in action, plus "Run Refactor Action…" for every action
// including the user's own. Each run: resolve the target, ask the model under a progress
// notification that can cancel it, check the answer, and hand VS Code a previewed WorkspaceEdit.
import * as vscode from "vscode";
import { builtinActions, commandIdOf, type RefactorAction } from "../../core/refactor/actions.js";
import { parseCustomActions } from "../../core/refactor/customActions.js";
import { RefactorError } from "../../core/refactor/refactorError.js";
import { runRefactor } from "../../core/refactor/runRefactor.js";
import type { CommandHandler, CommandTable } from "../commandTable.js";
import type { ExtensionContextHolder } from "../extensionContext.js";
import { buildRefactorEdit } from "./refactorEdit.js";
import { refactorTargetFrom } from "./refactorTargetFromEditor.js";

export const runActionCommand = "deepseekLocal.refactor.run";

class RefactorRunner {
  private customActions: RefactorAction[] = [];

  constructor(private readonly ctx: ExtensionContextHolder) {}

  /** Reads the user's actions; reports broken definitions once per change. */
  loadCustomActions(): void {
    const { actions, problems } = parseCustomActions(this.ctx.config.refactorCustomActions);
    this.customActions = actions;
    if (problems.length === 0) return;
    for (const problem of problems) this.ctx.log.warn(problem);
    const summary = problems.length === 1 ? problems[0]! : `${problems.length} custom refactor actions are invalid and were skipped: ${problems[0]} …`;
    void vscode.window.showWarningMessage(`DeepSeek Local: ${summary}`, "Open Settings", "Show Log").then((choice) => {
      if (choice === "Open Settings") void vscode.commands.executeCommand("workbench.action.openSettingsJson");
      if (choice === "Show Log") this.ctx.log.show();
    });
  }

  get actions(): readonly RefactorAction[] {
    return [...builtinActions, ...this.customActions];
  }

  async pickAndRun(id?: string): Promise<void> {
    const chosen = id === undefined ? undefined : this.actions.find((action) => action.id === id);
    if (chosen) return this.run(chosen);
    const picked = await vscode.window.showQuickPick(
      this.actions.map((action) => ({ label: action.title, description: action.source === "custom" ? "custom" : undefined, action })),
      { placeHolder: "Refactor the selection (or the function at the cursor) with DeepSeek Local" },
    );
    if (picked) await this.run(picked.action);
  }

  async run(action: RefactorAction, instruction?: string): Promise<void> {
    const editor = vscode.window.activeTextEditor;
    if (!editor) {
      void vscode.window.showInformationMessage("DeepSeek Local: open a file and select code to refactor.");
      return;
    }
    if (action.asksForInstruction && instruction === undefined) {
      instruction = await vscode.window.showInputBox({
        title: action.title,
        prompt: "How should the selected code change?",
        placeHolder: "e.g. use async/await instead of callbacks",
        ignoreFocusOut: true,
      });
      if (!instruction?.trim()) return;
    }
    try {
      await this.runOn(editor, action, instruction);
    } catch (error) {
      this.report(error, action, instruction);
    }
  }

  private async runOn(editor: vscode.TextEditor, action: RefactorAction, instruction: string | undefined): Promise<void> {
    const document = editor.document;
    const { plan, target } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `DeepSeek Local: ${action.title}`, cancellable: true },
      async (progress, token) => {
        const target = await refactorTargetFrom(editor, { insertionPoint: action.answer === "extractFunction" });
        if (!target) throw new RefactorError("noTarget", "Select some code first, or place the cursor inside a function.");
        if (token.isCancellationRequested) throw new RefactorError("cancelled", "The refactor was cancelled; nothing was applied.");
        const controller = new AbortController();
        const subscription = token.onCancellationRequested(() => controller.abort());
        let characters = 0;
        let shown = 0;
        progress.report({ message: "waiting for the model…" });
        try {
          const plan = await runRefactor(this.ctx.engineFor("refactor"), action, target, {
            instruction,
            signal: controller.signal,
            onText: (chunk) => {
              characters += chunk.length;
              // The first characters show the model is answering; then every 100 more.
              if (shown === 0 || characters - shown >= 100) {
                shown = characters;
                progress.report({ message: `${characters} characters of answer…` });
              }
            },
          });
          return { plan, target };
        } finally {
          subscription.dispose();
        }
      },
    );
    const edit = await buildRefactorEdit(plan, document, target.displayPath);
    if (!edit) {
      void vscode.window.showInformationMessage(`DeepSeek Local: ${action.title} suggests no changes. ${plan.rationale}`);
      return;
    }
    // needsConfirmation on every entry: VS Code opens the refactor preview; one edit, one undo step.
    const applied = await vscode.workspace.applyEdit(edit, { isRefactoring: true });
    if (applied) vscode.window.setStatusBarMessage(`DeepSeek Local: ${plan.rationale}`, 10_000);
  }

  private report(error: unknown, action: RefactorAction, instruction: string | undefined): void {
    if (!(error instanceof RefactorError)) {
      this.ctx.log.error(`refactor ${action.id} failed: ${(error as Error)?.stack ?? String(error)}`);
      void vscode.window.showErrorMessage(`DeepSeek Local: ${action.title} failed: ${(error as Error)?.message ?? String(error)}`);
      return;
    }
    this.ctx.log.info(`refactor ${action.id}: ${error.code}: ${error.message}`);
    if (error.code === "cancelled") {
      vscode.window.setStatusBarMessage(`DeepSeek Local: ${action.title} cancelled; nothing was applied.`, 5000);
      return;
    }
    if (!error.retryable) {
      void vscode.window.showWarningMessage(`DeepSeek Local: ${error.message}`);
      return;
    }
    void vscode.window.showWarningMessage(`DeepSeek Local: ${error.message}`, "Retry").then((choice) => {
      if (choice === "Retry") void this.run(action, instruction);
    });
  }
}

/** The refactor runner; a command per built-in action and the action picker, for the command table. */
export function registerRefactors(ctx: ExtensionContextHolder): CommandTable {
  const runner = new RefactorRunner(ctx);
  runner.loadCustomActions();
  ctx.own(
    ctx.config.onDidChange((change) => {
      if (change.affects("refactorActions")) runner.loadCustomActions();
    }),
  );
  // The chat's `/` commands pass the action's id (custom actions have no command of their own).
  const commands: Record<string, CommandHandler> = { [runActionCommand]: (id) => runner.pickAndRun(typeof id === "string" ? id : undefined) };
  for (const action of builtinActions) {
    // An instruction may come as the argument ("Fix with DeepSeek", codeActions.ts); menus pass a Uri.
    commands[commandIdOf(action)] = (instruction) => runner.run(action, typeof instruction === "string" ? instruction : undefined);
  }
  return commands;
}
