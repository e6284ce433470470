// Forks the engine process and owns its life: lazy start, model load, restart after a crash with
// backoff, giving up after repeated crashes, typed errors for requests in flight, clean shutdown.
// Every wait has an end (issue 19, item 10): a load and each request are time-limited, and a stop
// kills what does not exit in its grace period, so Stop and Restart return even while a load is stuck.
import { fork, type ChildProcess } from "node:child_process";
import { stat } from "node:fs/promises";
import { CancellationTokenSource, ResponseError, createMessageConnection, type MessageConnection, type RequestType } from "vscode-jsonrpc/node";
import { IPCMessageReader, IPCMessageWriter } from "vscode-jsonrpc/node";
import {
  EngineError,
  Methods,
  ModelInfo,
  StreamingRequestType,
  isEngineErrorCode,
  type LoadParams,
  type TextNotification,
} from "../protocol/engine.js";
import { RestartPolicy, type RestartPolicyOptions } from "./restartPolicy.js";
import { describeDuration, loadTimeLimitMs, requestTimeLimitMs, resolveTimeLimits, type EngineTimeLimits } from "./timeLimits.js";

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
  /** How long a graceful stop may take before the process is killed (same as timeLimits.stopGraceMs). */
  stopTimeoutMs?: number;
  /** Time limits of loads and requests; defaults in timeLimits.ts. */
  timeLimits?: Partial<EngineTimeLimits>;
}

interface EngineProcess {
  child: ChildProcess;
  connection: MessageConnection;
  exited: Promise<void>;
  /**
   * Called once when the process exits. Requests register here and unregister when they settle:
   * a promise per request chained on `exited` would stay referenced until the process ends (the
   * ~680 bytes per request of issue 19, item 11).
   */
  exitListeners: Set<() => void>;
  /** We ended it (stop, or a load past its limit): its exit is not a crash. */
  endedByUs: boolean;
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
  private readonly limits: EngineTimeLimits;
  private readonly stderrTail: string[] = [];
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: EngineSupervisorOptions) {
    this.policy = new RestartPolicy(options.restartPolicy);
    this.limits = resolveTimeLimits({ stopGraceMs: options.stopTimeoutMs, ...options.timeLimits });
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
    return this.starting ?? this.startLaunch();
  }

  private startLaunch(): Promise<Running> {
    const launch: Promise<Running> = this.launch().finally(() => {
      if (this.starting === launch) this.starting = undefined;
    });
    this.starting = launch;
    return launch;
  }

  /**
   * Sends one request; an engine crash while it runs rejects it with `engineCrashed`. Past its time
   * limit the request is cancelled; an engine that does not answer the cancellation is killed.
   */
  request<P, R>(type: RequestType<P, R, void>, params: P, signal?: AbortSignal): Promise<R>;
  /** A streaming request: `onText` receives its answer's text as the engine writes it. */
  request<P extends { requestId: string }, R>(
    type: StreamingRequestType<P, R>,
    params: P,
    signal: AbortSignal | undefined,
    onText: ((text: string) => void) | undefined,
  ): Promise<R>;
  async request<P, R>(type: RequestType<P, R, void>, params: P, signal?: AbortSignal, onText?: (text: string) => void): Promise<R> {
    signal?.throwIfAborted();
    const running = await this.ensureRunning();
    const limitMs = requestTimeLimitMs(type.method, this.limits);
    // The protocol says which requests stream; their params name them in the text notifications.
    const requestId = type instanceof StreamingRequestType ? (params as { requestId: string }).requestId : undefined;
    return new Promise<R>((resolve, reject) => {
      const cancellation = new CancellationTokenSource();
      const abort = () => cancellation.cancel();
      let graceTimer: NodeJS.Timeout | undefined;
      let timedOut: EngineError | undefined;
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(limitTimer);
        clearTimeout(graceTimer);
        signal?.removeEventListener("abort", abort);
        running.exitListeners.delete(onExit);
        if (requestId) this.textListeners.delete(requestId);
        cancellation.dispose();
        outcome();
      };
      const onExit = () =>
        settle(() => reject(timedOut ?? (running.endedByUs ? stoppedError() : new EngineError("engineCrashed", this.crashMessage(running.child)))));
      const limitTimer = setTimeout(() => {
        timedOut = new EngineError(
          "engineUnavailable",
          `The DeepSeek engine did not finish ${type.method} within ${describeDuration(limitMs)}; the request was cancelled.`,
        );
        cancellation.cancel();
        graceTimer = setTimeout(() => {
          const reason = `it did not answer ${type.method} within ${describeDuration(limitMs + this.limits.cancelGraceMs)}, even when cancelled`;
          timedOut = new EngineError("engineUnavailable", `The DeepSeek engine stopped responding (${reason}), so it was stopped; it restarts automatically.`);
          settle(() => reject(timedOut));
          this.killStuck(running, reason);
        }, this.limits.cancelGraceMs);
      }, limitMs);
      signal?.addEventListener("abort", abort, { once: true });
      running.exitListeners.add(onExit);
      if (requestId && onText) this.textListeners.set(requestId, onText);
      running.connection.sendRequest(type, params, cancellation.token).then(
        (result) => settle(() => (timedOut ? reject(timedOut) : resolve(result))),
        (error: unknown) => settle(() => reject(timedOut ?? toEngineError(error))),
      );
    });
  }

  /** Loads the configured model again in the running process (after a settings change). */
  async reload(): Promise<ModelInfo> {
    await this.starting?.catch(() => undefined);
    if (this.stateValue.kind === "failed" || !this.process) return this.restart();
    this.current = undefined;
    return (await this.startLaunch()).model;
  }

  /** A fresh process on the user's request: clears the crash history. */
  async restart(): Promise<ModelInfo> {
    this.policy.reset();
    await this.stop();
    return (await this.ensureRunning()).model;
  }

  /**
   * Ends the engine process, whatever it is doing: a graceful exit raced against the grace period,
   * then SIGKILL, then a check that the pid is gone. A load or request in flight is rejected.
   */
  async stop(): Promise<void> {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    const proc = this.process;
    this.process = undefined;
    this.current = undefined;
    this.starting = undefined;
    if (proc) await this.terminate(proc);
    if (this.stateValue.kind !== "stopped") this.setState({ kind: "stopped" });
  }

  private async terminate(proc: EngineProcess): Promise<void> {
    proc.endedByUs = true;
    const { child } = proc;
    const within = (ms: number) =>
      Promise.race([proc.exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
    if (child.exitCode === null && child.signalCode === null) {
      // Either one asks the engine to exit: it cancels its requests, unloads the model and ends
      // (engine/main.ts). SIGKILL after the grace period covers one too stuck to.
      if (child.connected) child.disconnect();
      child.kill("SIGTERM");
      if (!(await within(this.limits.stopGraceMs))) {
        this.options.log?.(`the engine (pid ${child.pid}) did not exit within ${describeDuration(this.limits.stopGraceMs)}; killing it`);
        child.kill("SIGKILL");
        if (!(await within(this.limits.killConfirmMs))) this.options.log?.(`the engine (pid ${child.pid}) did not exit after SIGKILL`);
      }
    }
    proc.connection.dispose();
    if (child.pid !== undefined && isAlive(child.pid)) this.options.log?.(`the engine process ${child.pid} is still alive after stop`);
  }

  /** A request the engine could not even cancel: the process is stuck, end it (the restart policy brings it back). */
  private killStuck(proc: EngineProcess, reason: string): void {
    this.options.log?.(`killing the engine (pid ${proc.child.pid}): ${reason}`);
    this.stderrTail.push(`error: the engine was killed because ${reason}`);
    proc.child.kill("SIGKILL");
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
    try {
      const raw = await this.loadWithin(proc, loadParams);
      const running: Running = { ...proc, model: ModelInfo.parse(raw) };
      if (proc.endedByUs) throw stoppedError();
      this.current = running;
      this.setState({ kind: "ready", model: running.model, pid: proc.child.pid ?? -1 });
      return running;
    } catch (error) {
      const engineError = toEngineError(error);
      // A bad file is not a crash: the process stays up, empty, for the next load. A crash is the
      // restart policy's, a stop the stopper's to report.
      if (engineError.code !== "engineCrashed" && !(proc.endedByUs && engineError.code === "engineUnavailable")) {
        this.setState({ kind: "loadFailed", error: engineError });
      }
      throw engineError;
    }
  }

  /** Sends the load; past the limit (scaled by the file's size) the process is killed and the load fails. */
  private loadWithin(proc: EngineProcess, loadParams: LoadParams): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const settle = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        proc.exitListeners.delete(onExit);
        outcome();
      };
      const onExit = () => settle(() => reject(proc.endedByUs ? stoppedError() : new EngineError("engineCrashed", this.crashMessage(proc.child))));
      proc.exitListeners.add(onExit);
      void fileSize(loadParams.modelPath).then((bytes) => {
        if (settled) return;
        const limitMs = loadTimeLimitMs(bytes, this.limits);
        timer = setTimeout(() => {
          const error = new EngineError(
            "modelLoadFailed",
            `Loading ${loadParams.modelPath} did not finish within ${describeDuration(limitMs)}, so the engine was stopped. ` +
              `The file may be damaged or too large for this machine: check deepseekLocal.model.path, then run "DeepSeek Local: Restart Engine".`,
          );
          this.options.log?.(error.message);
          settle(() => reject(error));
          if (this.process === proc) this.process = undefined;
          void this.terminate(proc);
        }, limitMs);
        proc.connection.sendRequest(Methods.load, loadParams).then(
          (raw) => settle(() => resolve(raw)),
          (error: unknown) => settle(() => reject(proc.endedByUs ? stoppedError() : error)),
        );
      });
    });
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
    let markExited!: () => void;
    const exited = new Promise<void>((resolve) => (markExited = resolve));
    const connection = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
    const proc: EngineProcess = { child, connection, exited, exitListeners: new Set(), endedByUs: false };
    child.once("exit", (code, signal) => {
      for (const listener of [...proc.exitListeners]) listener();
      proc.exitListeners.clear();
      markExited();
      this.onExit(proc, code, signal);
    });
    child.once("error", (error) => this.options.log?.(`engine process error: ${error.message}`));

    connection.onNotification(Methods.text, (notification: TextNotification) => {
      this.textListeners.get(notification.requestId)?.(notification.text);
    });
    connection.onNotification(Methods.warning, (warning: { message: string }) => this.options.onWarning?.(warning.message));
    connection.onError(([error]) => this.options.log?.(`engine connection error: ${error.message}`));
    connection.listen();
    return proc;
  }

  private onExit(proc: EngineProcess, code: number | null, signal: NodeJS.Signals | null): void {
    proc.connection.dispose();
    if (this.process !== proc) return;
    this.process = undefined;
    this.current = undefined;
    if (proc.endedByUs) return;
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

function stoppedError(): EngineError {
  return new EngineError("engineUnavailable", "The DeepSeek engine was stopped before it answered.");
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
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
