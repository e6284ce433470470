// run_command: the user confirms each command in a modal dialog; it then runs in the workspace
// folder with its output shown live in a terminal of its own and returned (the end of it) to the
// model. It has a time limit, and the chat's Stop ends it at once (its whole process group).
import { spawn } from "node:child_process";
import * as vscode from "vscode";
import type { CommandResult } from "../../core/agent/agentTools.js";

/** The output kept for the model: the end of it, where failures are reported. */
const keptOutputChars = 64_000;

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(process.platform === "win32" ? pid : -pid, signal);
  } catch {
    // already gone
  }
}

export async function confirmAndRunCommand(command: string, folder: string, timeoutMs: number, signal?: AbortSignal): Promise<CommandResult> {
  const choice = await vscode.window.showWarningMessage(
    "DeepSeek Local: the chat model wants to run a command.",
    { modal: true, detail: `${command}\n\nin ${folder}\n\nIts output goes back to the model.` },
    "Run",
  );
  if (choice !== "Run" || signal?.aborted) return { kind: "declined" };

  const write = new vscode.EventEmitter<string>();
  // What is written before the terminal opens is lost: the command starts once it has (or after 3 s).
  let opened!: () => void;
  const open = new Promise<void>((resolve) => (opened = resolve));
  const terminal = vscode.window.createTerminal({
    name: `DeepSeek Local: ${command.slice(0, 40)}`,
    pty: { onDidWrite: write.event, open: () => opened(), close: () => undefined },
  });
  terminal.show(true);
  await Promise.race([open, new Promise((resolve) => setTimeout(resolve, 3_000))]);
  write.fire(`$ ${command}\r\n`);
  return new Promise<CommandResult>((resolve) => {
    let output = "";
    let timedOut = false;
    const child = spawn(command, { cwd: folder, shell: true, detached: process.platform !== "win32", stdio: ["ignore", "pipe", "pipe"] });
    const onData = (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      output = (output + text).slice(-keptOutputChars);
      write.fire(text.replace(/\r?\n/g, "\r\n"));
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    const stop = (why: "timeout" | "stop") => {
      timedOut = why === "timeout";
      killGroup(child.pid, "SIGTERM");
      setTimeout(() => killGroup(child.pid, "SIGKILL"), 2_000).unref();
    };
    const timer = setTimeout(() => stop("timeout"), timeoutMs);
    const onAbort = () => stop("stop");
    signal?.addEventListener("abort", onAbort, { once: true });
    const finish = (exitCode: number | null, error?: Error) => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (error) output += `\n${error.message}`;
      write.fire(`\r\n[${timedOut ? "stopped: time limit" : signal?.aborted ? "stopped" : `exit code ${exitCode ?? "none"}`}]\r\n`);
      resolve({ kind: "ran", exitCode, output, timedOut, stopped: !!signal?.aborted });
    };
    child.on("error", (error) => finish(null, error));
    child.on("close", (code) => finish(code));
  });
}
