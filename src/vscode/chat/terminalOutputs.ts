// Remembers, per terminal, the last command that finished and its output, read through shell
// integration while it ran (VS Code hands the output only to a reader present from the start).
import * as vscode from "vscode";
import type { TerminalCommand, TerminalInput } from "../../core/chat/context/terminal.js";

/** Output kept per command: the tail, since that is where a failure shows. */
const maxOutputChars = 200_000;

export class TerminalOutputs implements vscode.Disposable {
  private readonly last = new WeakMap<vscode.Terminal, TerminalCommand>();
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.subscriptions = [vscode.window.onDidStartTerminalShellExecution((event) => void this.record(event))];
  }

  private async record(event: vscode.TerminalShellExecutionStartEvent): Promise<void> {
    // Listened to from the start: the end event may come before or after the output stream ends.
    let exitCode: number | undefined;
    const ended = vscode.window.onDidEndTerminalShellExecution((end) => {
      if (end.execution === event.execution) exitCode = end.exitCode;
    });
    let output = "";
    try {
      for await (const data of event.execution.read()) {
        output += data;
        if (output.length > maxOutputChars * 2) output = output.slice(-maxOutputChars);
      }
      if (exitCode === undefined) await new Promise((resolve) => setTimeout(resolve, 500));
    } finally {
      ended.dispose();
    }
    this.last.set(event.terminal, { commandLine: event.execution.commandLine.value, output: output.slice(-maxOutputChars), exitCode });
  }

  /** The active terminal as the `@terminal` provider reads it, or undefined without one. */
  active(): TerminalInput | undefined {
    const terminal = vscode.window.activeTerminal;
    if (!terminal) return undefined;
    // `Terminal.selection` is newer than the API version this extension requires: read where present.
    const selection = (terminal as { selection?: unknown }).selection;
    return {
      name: terminal.name,
      selection: typeof selection === "string" ? selection : undefined,
      lastCommand: this.last.get(terminal),
      shellIntegration: terminal.shellIntegration !== undefined,
    };
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
