// Forks the engine process and owns its life: lazy start, model load, restart after a crash with
// backoff, giving up after repeated crashes, typed errors for requests in flight, clean shutdown.
import { fork, type ChildProcess } from "node:child_process";
import { CancellationTokenSource, ResponseError, createMessageConnection, type MessageConnection, type RequestType } from "vscode-jsonrpc/node";
import { IPCMessageReader, IPCMessageWriter } from "vscode-jsonrpc/node";
import {
  EngineError,
  Methods,
  ModelInfo,
  isEngineErrorCode,
  type LoadParams,
  type TextNotification,
} from "../protocol/engine.js";
import { RestartPolicy, type RestartPolicyOptions } from "./restartPolicy.js";

export type EngineState =
  | { kind: "stopped" }
  | { kind: "starting" }
  | { kind: "ready"; model: ModelInfo; pid: number }
  | { kind: "loadFailed"; error: EngineError }
  | { kind: "restarting"; attempt: number; delayMs: number; reason: string }
  | { kind: "failed"; message: string };

export interface EngineSupervisorOptions {
  /** The built engine entry (dist/engine.mjs). */
  enginePath: string;
  /** What to load; read at every (re)start so a restart picks up changed settings. */
  loadParams: () => LoadParams | undefined;
  log?: (line: string) => void;
  /** Things the user should hear about once (e.g. the disk cache turned off on a full disk). */
  onWarning?: (message: string) => void;
  env?: NodeJS.ProcessEnv;
  restartPolicy?: RestartPolicyOptions;
  /** How long a graceful stop may take before the process is killed. */
  stopTimeoutMs?: number;
}

interface EngineProcess {
  child: ChildProcess;
  connection: MessageConnection;
  exited: Promise<void>;
}

interface Running extends EngineProcess {
  model: ModelInfo;
}

const stderrLinesKept = 40;

export class EngineSupervisor {
  /** The engine process, with or without a model. */
  private process: EngineProcess | undefined;
  /** The process once its model is loaded. */
  private current: Running | undefined;
  private starting: Promise<Running> | undefined;
  private stateValue: EngineState = { kind: "stopped" };
  private readonly listeners = new Set<(state: EngineState) => void>();
  private readonly textListeners = new Map<string, (text: string) => void>();
  private readonly policy: RestartPolicy;
  private readonly stderrTail: string[] = [];
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(private readonly options: EngineSupervisorOptions) {
    this.policy = new RestartPolicy(options.restartPolicy);
  }

  get state(): EngineState {
    return this.stateValue;
  }

  get pid(): number | undefined {
    return this.process?.child.pid;
  }

  onStateChange(listener: (state: EngineState) => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private setState(state: EngineState): void {
    this.stateValue = state;
    this.options.log?.(`engine state: ${state.kind}${"message" in state ? ` (${state.message})` : ""}`);
    for (const listener of this.listeners) listener(state);
  }

  /** Starts the engine and loads the model if needed; concurrent callers share one start. */
  async ensureRunning(): Promise<Running> {
    if (this.current) return this.current;
    const state = this.stateValue;
    if (state.kind === "failed") throw new EngineError("engineUnavailable", state.message);
    if (state.kind === "loadFailed") throw state.error;
    this.starting ??= this.launch().finally(() => (this.starting = undefined));
    return this.starting;
  }

  /** Sends one request; an engine crash while it runs rejects it with `engineCrashed`. */
  async request<P, R>(type: RequestType<P, R, void>, params: P, signal?: AbortSignal, onText?: (text: string) => void): Promise<R> {
    signal?.throwIfAborted();
    const running = await this.ensureRunning();
    const cancellation = new CancellationTokenSource();
    const abort = () => cancellation.cancel();
    signal?.addEventListener("abort", abort, { once: true });
    const requestId = (params as { requestId?: string }).requestId;
    if (requestId && onText) this.textListeners.set(requestId, onText);
    try {
      const crashed = running.exited.then(() => {
        throw new EngineError("engineCrashed", this.crashMessage(running.child));
      });
      return await Promise.race([running.connection.sendRequest(type, params, cancellation.token), crashed]);
    } catch (error) {
      throw toEngineError(error);
    } finally {
      signal?.removeEventListener("abort", abort);
      cancellation.dispose();
      if (requestId) this.textListeners.delete(requestId);
    }
  }

  /** Loads the configured model again in the running process (after a settings change). */
  async reload(): Promise<ModelInfo> {
    await this.starting?.catch(() => undefined);
    if (this.stateValue.kind === "failed" || !this.process) return this.restart();
    this.current = undefined;
    this.starting = this.launch().finally(() => (this.starting = undefined));
    return (await this.starting).model;
  }

  /** A fresh process on the user's request: clears the crash history. */
  async restart(): Promise<ModelInfo> {
    this.policy.reset();
    await this.stop();
    this.setState({ kind: "stopped" });
    return (await this.ensureRunning()).model;
  }

  async stop(): Promise<void> {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    await this.starting?.catch(() => undefined);
    const running = this.process;
    if (!running) return;
    this.stopping = true;
    try {
      running.connection.dispose();
      running.child.kill("SIGTERM");
      const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), this.options.stopTimeoutMs ?? 3000).unref());
      if ((await Promise.race([running.exited, timeout])) === "timeout") {
        running.child.kill("SIGKILL");
        await running.exited;
      }
    } finally {
      this.process = undefined;
      this.current = undefined;
      this.stopping = false;
      this.setState({ kind: "stopped" });
    }
  }

  private async launch(): Promise<Running> {
    const loadParams = this.options.loadParams();
    if (!loadParams) {
      const error = new EngineError("notLoaded", "No model is configured. Set deepseekLocal.model.path or download a model.");
      this.setState({ kind: "loadFailed", error });
      throw error;
    }
    this.setState({ kind: "starting" });
    const proc = (this.process ??= this.spawn());
    const died = proc.exited.then(() => {
      throw new EngineError("engineCrashed", this.crashMessage(proc.child));
    });
    try {
      const raw = await Promise.race([proc.connection.sendRequest(Methods.load, loadParams), died]);
      const running: Running = { ...proc, model: ModelInfo.parse(raw) };
      this.current = running;
      this.setState({ kind: "ready", model: running.model, pid: proc.child.pid ?? -1 });
      return running;
    } catch (error) {
      const engineError = toEngineError(error);
      // A bad file is not a crash: the process stays up, empty, for the next load.
      if (engineError.code !== "engineCrashed") this.setState({ kind: "loadFailed", error: engineError });
      throw engineError;
    }
  }

  private spawn(): EngineProcess {
    this.stderrTail.length = 0;
    const child = fork(this.options.enginePath, [], {
      stdio: ["ignore", "pipe", "pipe", "ipc"],
      env: engineProcessEnv(process.env, this.options.env),
      execArgv: [],
      serialization: "json",
    });
    child.stdout?.setEncoding("utf8").on("data", (data: string) => this.logOutput(data));
    child.stderr?.setEncoding("utf8").on("data", (data: string) => this.logOutput(data));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    child.once("exit", (code, signal) => this.onExit(child, code, signal));
    child.once("error", (error) => this.options.log?.(`engine process error: ${error.message}`));

    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    connection.onNotification(Methods.text, (notification: TextNotification) => {
      this.textListeners.get(notification.requestId)?.(notification.text);
    });
    connection.onNotification(Methods.warning, (warning: { message: string }) => this.options.onWarning?.(warning.message));
    connection.onError(([error]) => this.options.log?.(`engine connection error: ${error.message}`));
    connection.listen();
    return { child, connection, exited };
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.process?.child !== child) return;
    this.process = undefined;
    this.current = undefined;
    if (this.stopping) return;
    const reason = `the engine process exited (${signal ? `signal ${signal}` : `code ${code}`})`;
    this.options.log?.(`${reason}; last output:\n${this.stderrTail.join("\n")}`);
    const decision = this.policy.onCrash(Date.now());
    if (!decision.restart) {
      this.setState({
        kind: "failed",
        message: `The DeepSeek engine crashed ${decision.crashes} times in a few minutes (${reason}). ${this.lastErrorLine()}Run "DeepSeek Local: Restart Engine" to try again.`,
      });
      return;
    }
    this.setState({ kind: "restarting", attempt: decision.attempt, delayMs: decision.delayMs, reason });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.ensureRunning().catch((error: unknown) => this.options.log?.(`restart failed: ${(error as Error).message}`));
    }, decision.delayMs);
  }

  private crashMessage(child: ChildProcess): string {
    const how = child.signalCode ? `signal ${child.signalCode}` : `code ${child.exitCode ?? "unknown"}`;
    return `The DeepSeek engine stopped unexpectedly (${how}). ${this.lastErrorLine()}It restarts automatically.`;
  }

  private lastErrorLine(): string {
    const line = [...this.stderrTail].reverse().find((l) => /error|assert|abort|memory/i.test(l));
    return line ? `Last engine error: ${line.trim().slice(0, 300)}. ` : "";
  }

  private logOutput(data: string): void {
    for (const line of data.split(/\r?\n/)) {
      if (!line) continue;
      this.stderrTail.push(line);
      if (this.stderrTail.length > stderrLinesKept) this.stderrTail.shift();
      this.options.log?.(`[engine] ${line}`);
    }
  }
}

function toEngineError(error: unknown): EngineError {
  if (error instanceof EngineError) return error;
  if (error instanceof ResponseError) {
    const code = (error.data as { code?: unknown } | undefined)?.code;
    return new EngineError(isEngineErrorCode(code) ? code : "internal", error.message);
  }
  const message = error instanceof Error ? error.message : String(error);
  if (/cancel/i.test(message)) return new EngineError("cancelled", "The request was cancelled.");
  return new EngineError("engineUnavailable", `The engine connection failed: ${message}`);
}

/**
 * glibc malloc settings for the engine (Linux). `hugetlb=1`: malloc asks for transparent huge pages
 * for what it maps, so the weights llama.cpp reads into memory (the engine loads without mmap on the
 * CPU) sit in 2 MiB pages instead of 4 KiB ones, which cut the V2-Lite-shaped model's load time by
 * about a third. `trim_threshold`: without it, freeing at the top of the heap hands pages back and
 * the next request faults fresh 2 MiB pages in (zeroed each time), which cost the tiny model a
 * quarter of its prompt speed; the heap now keeps what it grew to. glibc before 2.35 ignores
 * `hugetlb` (docs/performance.md, session 5).
 */
const ENGINE_MALLOC_TUNABLES: readonly [string, string][] = [
  ["glibc.malloc.hugetlb", "1"],
  ["glibc.malloc.trim_threshold", String(256 * 1024 * 1024)],
];

/**
 * The engine process's environment. In VS Code the host runtime is Electron: the child is made to
 * behave as plain Node. One libuv pool thread lets the engine queue a decode and its sample back
 * to back (tokenStepper.ts). On Linux the malloc tunables above are added; one the user set wins.
 */
export function engineProcessEnv(parent: NodeJS.ProcessEnv, overrides: NodeJS.ProcessEnv = {}, platform = process.platform): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...parent, UV_THREADPOOL_SIZE: "1", ...overrides, ELECTRON_RUN_AS_NODE: "1" };
  if (platform === "linux") {
    const tunables = (env.GLIBC_TUNABLES ?? "").split(":").filter(Boolean);
    for (const [name, value] of ENGINE_MALLOC_TUNABLES) {
      if (!tunables.some((t) => t.startsWith(`${name}=`))) tunables.push(`${name}=${value}`);
    }
    env.GLIBC_TUNABLES = tunables.join(":");
  }
  return env;
}
