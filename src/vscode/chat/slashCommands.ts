// The composer's `/` commands: the refactor actions, built-in and the user's own, run on the active
// editor's selection through the refactor commands (the typed text as the instruction where the
// action takes one), so they behave exactly as from the palette.
import * as vscode from "vscode";
import { builtinActions, commandIdOf } from "../../core/refactor/actions.js";
import { parseCustomActions } from "../../core/refactor/customActions.js";
import type { SlashCommand } from "../../protocol/webview.js";
import { runActionCommand } from "../refactor/registerRefactors.js";

/** What `/` lists; broken custom definitions are skipped here (the refactor runner reports them). */
export function slashCommands(customActions: unknown): SlashCommand[] {
  return [...builtinActions, ...parseCustomActions(customActions).actions].map((action) => ({ id: action.id, title: action.title, takesInstruction: !!action.asksForInstruction }));
}

/** Runs the chosen action; an id the list does not have (a stale page, a removed custom action) is refused. */
export async function runSlashCommand(commands: readonly SlashCommand[], actionId: string, instruction: string | undefined): Promise<void> {
  const command = commands.find((candidate) => candidate.id === actionId);
  if (!command) throw new Error(`There is no refactor action "${actionId}"; type / to see the list.`);
  const builtin = builtinActions.find((action) => action.id === actionId);
  const text = command.takesInstruction && instruction?.trim() ? instruction.trim() : undefined;
  if (builtin) await vscode.commands.executeCommand(commandIdOf(builtin), text);
  else await vscode.commands.executeCommand(runActionCommand, actionId);
}
