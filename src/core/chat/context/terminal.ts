// `@terminal`: what the user selected in the active terminal or, through shell integration, the last
// command that finished there and its output. Output is cut from the start (the end of a build or
// test run is where the error is) to the budget; colour and cursor escapes are removed.
import type { Attachment } from "../conversation.js";
import { estimateTokens } from "../tokenEstimate.js";
import { contextAttachment, defaultContextTokens } from "./contextProvider.js";

export interface TerminalCommand {
  commandLine: string;
  output: string;
  exitCode?: number;
}

export interface TerminalInput {
  /** The terminal's name ("bash", "npm: test"). */
  name: string;
  /** The terminal's selected text, where the editor reports it. */
  selection?: string;
  /** The last command that finished in this terminal while the extension watched it. */
  lastCommand?: TerminalCommand;
  /** Whether the terminal has shell integration (without it no command can be read). */
  shellIntegration: boolean;
}

// CSI sequences (colours, cursor moves), OSC sequences (titles, shell-integration marks), lone ESC pairs.
const escapes = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

export function stripTerminalEscapes(text: string): string {
  return text.replace(escapes, "").replace(/\r\n/g, "\n").replace(/\r/g, "");
}

/** The last lines of `text` that fit `maxTokens`, and how many earlier lines were cut. */
export function lastLinesWithin(text: string, maxTokens: number): { text: string; cutLines: number } {
  const lines = text.replace(/\n+$/, "").split("\n");
  let used = 0;
  let first = lines.length;
  while (first > 0) {
    const cost = estimateTokens(lines[first - 1]!) + 1;
    if (used + cost > maxTokens) break;
    used += cost;
    first--;
  }
  return { text: lines.slice(first).join("\n"), cutLines: first };
}

/** The terminal's selection or last command as one attachment, or a sentence saying why there is none. */
export function terminalContext(input: TerminalInput, maxTokens = defaultContextTokens): Attachment | string {
  const selection = stripTerminalEscapes(input.selection ?? "");
  if (selection.trim()) {
    const cut = lastLinesWithin(selection, maxTokens);
    return contextAttachment("terminal", `Terminal selection (${input.name})`, withCutNote(cut));
  }
  const command = input.lastCommand;
  if (!command) {
    return input.shellIntegration
      ? `No command has finished in the terminal "${input.name}" since DeepSeek Local started. Run one, or select the output to attach.`
      : `The terminal "${input.name}" has no shell integration, so its last command cannot be read. Select the output in the terminal and try again.`;
  }
  const exit = command.exitCode === undefined ? "" : `\n(exit code ${command.exitCode})`;
  const head = `$ ${command.commandLine}`;
  const cut = lastLinesWithin(stripTerminalEscapes(command.output), Math.max(0, maxTokens - estimateTokens(head + exit) - 2));
  const shortCommand = command.commandLine.length > 40 ? `${command.commandLine.slice(0, 39)}…` : command.commandLine;
  return contextAttachment("terminal", `Terminal: ${shortCommand}`, `${head}\n${withCutNote(cut)}${exit}`);
}

function withCutNote(cut: { text: string; cutLines: number }): string {
  return cut.cutLines ? `… (${cut.cutLines} earlier lines cut)\n${cut.text}` : cut.text;
}
