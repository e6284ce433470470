// The refactor actions in the lightbulb / Ctrl+. for a selection, and "Fix with DeepSeek" for a
// problem under the cursor. Both only point at the refactor commands: a fix is "Refactor with
// Instruction" on the problem's lines with the problem as the instruction, so it goes through the
// same schema-constrained answer, refactor preview and single undo step.
import * as vscode from "vscode";
import { builtinActions, commandIdOf } from "../../core/refactor/actions.js";
import { fixInstruction } from "../../core/refactor/fixInstruction.js";
import { runActionCommand } from "./registerRefactors.js";

export const fixWithDeepSeekCommand = "deepseekLocal.fixWithDeepSeek";
const withInstructionCommand = "deepseekLocal.refactor.withInstruction";
/** At most this many problems get a fix action at one place: the lightbulb stays short. */
const maxFixes = 3;

export class RefactorCodeActions implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite];

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const fixes = context.diagnostics.slice(0, maxFixes).map((diagnostic) => {
      const action = new vscode.CodeAction(`Fix with DeepSeek: ${oneLine(diagnostic.message)}`, vscode.CodeActionKind.QuickFix);
      action.diagnostics = [diagnostic];
      action.command = { title: "Fix with DeepSeek", command: fixWithDeepSeekCommand, arguments: [document.uri, diagnostic.range, diagnostic.message] };
      return action;
    });
    const wanted = context.only;
    const refactors = range.isEmpty || !document.getText(range).trim() || (wanted && !wanted.contains(vscode.CodeActionKind.RefactorRewrite)) ? [] : selectionActions();
    return [...fixes, ...refactors];
  }
}

function selectionActions(): vscode.CodeAction[] {
  const actions = builtinActions.map((action) => ({ title: action.title, command: commandIdOf(action) }));
  return [...actions, { title: "Run Refactor Action…", command: runActionCommand }].map(({ title, command }) => {
    const action = new vscode.CodeAction(`DeepSeek: ${title}`, vscode.CodeActionKind.RefactorRewrite);
    action.command = { title, command };
    return action;
  });
}

function oneLine(message: string): string {
  const line = message.split(/\r?\n/)[0]!.trim();
  return line.length > 60 ? `${line.slice(0, 59)}…` : line;
}

/** Selects the problem's whole lines and runs "Refactor with Instruction" with the problem as the instruction. */
export async function fixWithDeepSeek(uri: unknown, range: unknown, message: unknown): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!(uri instanceof vscode.Uri) || !(range instanceof vscode.Range) || typeof message !== "string") {
    return void vscode.window.showInformationMessage("DeepSeek Local: choose Fix with DeepSeek from the lightbulb on a problem.");
  }
  const target = editor?.document.uri.toString() === uri.toString() ? editor : await vscode.window.showTextDocument(uri);
  const lastLine = target.document.lineAt(range.end.line);
  target.selection = new vscode.Selection(range.start.line, 0, lastLine.lineNumber, lastLine.range.end.character);
  await vscode.commands.executeCommand(withInstructionCommand, fixInstruction(message, range.start.line + 1));
}

export function registerCodeActions(): vscode.Disposable {
  return vscode.languages.registerCodeActionsProvider([{ scheme: "file" }, { scheme: "untitled" }], new RefactorCodeActions(), {
    providedCodeActionKinds: RefactorCodeActions.kinds,
  });
}
