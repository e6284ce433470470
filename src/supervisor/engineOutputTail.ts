// The engine's last output lines, kept so that a crash or a give-up can say what the engine said
// last (an assert, an out-of-memory) instead of only "it exited".
import { ResponseError } from "vscode-jsonrpc/node";
import { EngineError, isEngineErrorCode } from "../protocol/engine.js";

const linesKept = 40;

export class EngineOutputTail {
  private readonly lines: string[] = [];

  clear(): void {
    this.lines.length = 0;
  }

  /** Keeps the last lines of `data`; returns the non-empty lines for the caller to log. */
  add(data: string): string[] {
    const added = data.split(/\r?\n/).filter((line) => line !== "");
    for (const line of added) this.lines.push(line);
    if (this.lines.length > linesKept) this.lines.splice(0, this.lines.length - linesKept);
    return added;
  }

  text(): string {
    return this.lines.join("\n");
  }

  /** "Last engine error: … " (with its trailing space), or "" when the engine said nothing that looks like one. */
  lastErrorLine(): string {
    const line = [...this.lines].reverse().find((l) => /error|assert|abort|memory/i.test(l));
    return line ? `Last engine error: ${line.trim().slice(0, 300)}. ` : "";
  }
}

export function stoppedError(): EngineError {
  return new EngineError("engineUnavailable", "The DeepSeek engine was stopped before it answered.");
}

/** Any failure of a request or a connection, as the typed error the features show. */
export function toEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  if (error instanceof ResponseError) {
    const code = (error.data as { code?: unknown } | undefined)?.code;
    return new EngineError(isEngineErrorCode(code) ? code : "internal", error.message);
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/cancel/i.test(message)) return new EngineError("cancelled", "The request was cancelled.");
  return new EngineError("engineUnavailable", `The engine connection failed: ${message}`);
}
