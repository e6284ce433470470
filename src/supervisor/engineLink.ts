// What the supervisor holds of an engine: a JSON-RPC connection and a way to end it. A forked
// engine is this window's own child (over IPC); a shared engine is a process of its own that
// several windows reach over a socket (sharedEngine.ts): ending this window's link leaves it running.
import { fork } from "node:child_process";
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, type MessageConnection } from "vscode-jsonrpc/node";
import { engineProcessEnv } from "./engineProcessEnv.js";

export interface EngineLink {
  readonly connection: MessageConnection;
  readonly pid: number | undefined;
  readonly shared: boolean;
  /** Resolves once the link is gone (the process exited, or the socket closed). */
  readonly ended: Promise<void>;
  /** Called once, when the link ends, before `ended` resolves. */
  onEnd(listener: () => void): void;
  /** Why it ended, for messages: "signal SIGKILL", "code 1", "its connection closed". */
  endDescription(): string;
  /** Ends this window's use: a forked engine is asked to exit; a shared one only loses this client. */
  close(): void;
  /** Ends the engine process itself (stuck, or the user's Restart Engine). */
  kill(signal: NodeJS.Signals): void;
  isLive(): boolean;
  /** What the engine last wrote that did not reach this window as it came (a shared engine's log, when not followed). */
  recentOutput(): string[];
}

export interface ForkOptions {
  enginePath: string;
  env?: NodeJS.ProcessEnv;
  /** Each line the engine writes to stdout or stderr. */
  onOutput: (data: string) => void;
}

/** This window's own engine child, over the fork's IPC channel. */
export function forkEngine(options: ForkOptions): EngineLink {
  const child = fork(options.enginePath, [], {
    stdio: ["ignore", "pipe", "pipe", "ipc"],
    env: engineProcessEnv(process.env, options.env),
    execArgv: [],
    serialization: "json",
  });
  child.stdout?.setEncoding("utf8").on("data", options.onOutput);
  child.stderr?.setEncoding("utf8").on("data", options.onOutput);
  child.once("error", (error) => options.onOutput(`engine process error: ${error.message}\n`));
  const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  const listeners: (() => void)[] = [];
  const ended = new Promise<void>((resolve) =>
    child.once("exit", () => {
      for (const listener of listeners.splice(0)) listener();
      resolve();
    }),
  );
  return {
    connection,
    pid: child.pid,
    shared: false,
    ended,
    onEnd: (listener) => listeners.push(listener),
    endDescription: () => (child.signalCode ? `signal ${child.signalCode}` : `code ${child.exitCode ?? "unknown"}`),
    close: () => {
      // Either one asks the engine to exit: it cancels its requests, unloads the model and ends.
      if (child.connected) child.disconnect();
      child.kill("SIGTERM");
    },
    kill: (signal) => child.kill(signal),
    isLive: () => child.exitCode === null && child.signalCode === null,
    recentOutput: () => [],
  };
}
