// Forks the engine process and owns its life: lazy start, model load, restart after a crash with
// backoff, giving up after repeated crashes, typed errors for requests in flight, clean shutdown.
// Every wait has an end (issue 19, item 10): a load and each request are time-limited, and a stop
// kills what does not exit in its grace period, so Stop and Restart return even while a load is stuck.
import { stat } from "node:fs/promises";
import { CancellationTokenSource, type MessageConnection, type RequestType } from "vscode-jsonrpc/node";
import {
  EngineError,
  Methods,
  ModelInfo,
  StreamingRequestType,
  type LoadParams,
  type TextNotification,
} from "../protocol/engine.js";
import { forkEngine, type EngineLink } from "./engineLink.js";
import type { EngineState, EngineSupervisorOptions } from "./engineSupervisorOptions.js";
import { EngineOutputTail, stoppedError, toEngineError } from "./engineOutputTail.js";
import { RestartPolicy } from "./restartPolicy.js";
import { connectSharedEngine } from "./sharedEngine.js";
import { isProcessAlive } from "./spawnLock.js";
import { describeDuration, loadTimeLimitMs, requestTimeLimitMs, resolveTimeLimits, type EngineTimeLimits } from "./timeLimits.js";

export { engineProcessEnv } from "./engineProcessEnv.js";
export type { EngineState, EngineSupervisorOptions } from "./engineSupervisorOptions.js";

/** Sets of sequences a shared engine holds: one per window up to this many (engine/clientSlots.ts). */
export const sharedEngineClientSlots = 3;

interface EngineProcess {
  link: EngineLink;
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
  /** A shared engine said it is exiting on purpose (another window's Restart Engine): its end is no crash. */
  endedByEngine?: boolean;
}

interface Running extends EngineProcess {
  model: ModelInfo;
}

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
  private readonly outputTail = new EngineOutputTail();
  private restartTimer: NodeJS.Timeout | undefined;
  /** Counts stops: a connection that completes after a stop is closed, not kept. */
  private generation = 0;

  constructor(private readonly options: EngineSupervisorOptions) {
    this.policy = new RestartPolicy(options.restartPolicy);
    this.limits = resolveTimeLimits({ stopGraceMs: options.stopTimeoutMs, ...options.timeLimits });
  }

  get state(): EngineState {
    return this.stateValue;
  }

  /** The engine's process id (a shared engine's, once connected). */
  get pid(): number | undefined {
    return this.process?.link.pid;
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
        settle(() => reject(timedOut ?? (running.endedByUs || running.endedByEngine ? stoppedError() : new EngineError("engineCrashed", this.crashMessage(running.link)))));
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

  /**
   * Loads the configured model again in the running process (after a settings change). A shared
   * engine is keyed by its load settings: this window moves to the engine of the new ones.
   */
  async reload(): Promise<ModelInfo> {
    await this.starting?.catch(() => undefined);
    if (this.process?.link.shared || this.options.shared?.()) {
      await this.stop();
      return (await this.ensureRunning()).model;
    }
    if (this.stateValue.kind === "failed" || !this.process) return this.restart();
    this.current = undefined;
    return (await this.startLaunch()).model;
  }

  /**
   * A fresh process on the user's request: clears the crash history. A shared engine is ended for
   * every window (the others reconnect to the new one), unless this is only a settings change.
   */
  async restart(): Promise<ModelInfo> {
    this.policy.reset();
    await this.endSharedEngine();
    await this.stop();
    return (await this.ensureRunning()).model;
  }

  /** Restart Engine on a shared engine ends the process itself (SIGTERM, then SIGKILL past the grace period). */
  private async endSharedEngine(): Promise<void> {
    const proc = this.process;
    if (!proc?.link.shared || !proc.link.isLive()) return;
    proc.endedByUs = true;
    proc.link.kill("SIGTERM");
    const exited = await Promise.race([proc.exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), this.limits.stopGraceMs).unref())]);
    if (!exited) proc.link.kill("SIGKILL");
  }

  /**
   * Ends the engine process, whatever it is doing: a graceful exit raced against the grace period,
   * then SIGKILL, then a check that the pid is gone. A load or request in flight is rejected. A
   * shared engine is only left; it exits at once if no other window uses it, unless
   * `keepSharedEngine` (a window closing: one reopened soon finds the model loaded).
   */
  async stop(options: { keepSharedEngine?: boolean } = {}): Promise<void> {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.generation++;
    const proc = this.process;
    this.process = undefined;
    this.current = undefined;
    this.starting = undefined;
    if (proc) await this.terminate(proc, options.keepSharedEngine);
    if (this.stateValue.kind !== "stopped") this.setState({ kind: "stopped" });
  }

  private async terminate(proc: EngineProcess, keepSharedEngine = false): Promise<void> {
    proc.endedByUs = true;
    const { link } = proc;
    const within = (ms: number) =>
      Promise.race([proc.exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
    if (link.isLive()) {
      // A forked engine is asked to exit: it cancels its requests, unloads the model and ends
      // (engine/main.ts); SIGKILL after the grace period covers one too stuck to. A shared engine
      // only loses this window: it cancels this window's requests and serves the others.
      if (link.shared && !keepSharedEngine) await this.sayDone(proc);
      link.close();
      if (link.shared) await within(this.limits.killConfirmMs);
      else if (!(await within(this.limits.stopGraceMs))) {
        this.options.log?.(`the engine (pid ${link.pid}) did not exit within ${describeDuration(this.limits.stopGraceMs)}; killing it`);
        link.kill("SIGKILL");
        if (!(await within(this.limits.killConfirmMs))) this.options.log?.(`the engine (pid ${link.pid}) did not exit after SIGKILL`);
      }
    }
    proc.connection.dispose();
    if (!link.shared && link.pid !== undefined && isProcessAlive(link.pid)) this.options.log?.(`the engine process ${link.pid} is still alive after stop`);
  }

  /** Tells a shared engine this window is done with its model: it exits at once if no other window is attached. */
  private async sayDone(proc: EngineProcess): Promise<void> {
    const answered = proc.connection.sendRequest(Methods.leaving, { keepRunning: false }).then(() => undefined, () => undefined);
    await Promise.race([answered, new Promise<void>((resolve) => setTimeout(resolve, this.limits.killConfirmMs).unref())]);
  }

  /** A request the engine could not even cancel: the process is stuck, end it (the restart policy brings it back). */
  private killStuck(proc: EngineProcess, reason: string): void {
    this.options.log?.(`killing the engine (pid ${proc.link.pid}): ${reason}`);
    this.outputTail.add(`error: the engine was killed because ${reason}`);
    proc.link.kill("SIGKILL");
  }

  private async launch(): Promise<Running> {
    const loadParams = this.options.loadParams();
    if (!loadParams) {
      const error = new EngineError("notLoaded", "No model is configured. Set deepseekLocal.model.path or download a model.");
      this.setState({ kind: "loadFailed", error });
      throw error;
    }
    this.setState({ kind: "starting" });
    let proc: EngineProcess | undefined;
    try {
      // A shared engine holds a set of sequences per window; its endpoint is keyed by what it loads.
      const sharing = this.process ? undefined : this.options.shared?.();
      const shared = this.process ? this.process.link.shared : !!sharing;
      const params = shared ? { ...loadParams, clientSlots: sharedEngineClientSlots } : loadParams;
      proc = this.process ?? (await this.open(params, sharing));
      const raw = await this.loadWithin(proc, params);
      // The same object as `this.process`: a stop marks both as ended by us.
      const running: Running = Object.assign(proc, { model: ModelInfo.parse(raw) });
      if (proc.endedByUs) throw stoppedError();
      this.current = running;
      this.setState({ kind: "ready", model: running.model, pid: proc.link.pid ?? -1, shared: proc.link.shared });
      return running;
    } catch (error) {
      const engineError = toEngineError(error);
      if (!proc && engineError.code === "engineCrashed") {
        // The shared engine could not be started: as a crash, retried with backoff, then given up.
        this.crashed(engineError.message);
        throw engineError;
      }
      // A bad file is not a crash: the process stays up, empty, for the next load. A crash is the
      // restart policy's, a stop the stopper's to report.
      if (engineError.code !== "engineCrashed" && !(proc?.endedByUs && engineError.code === "engineUnavailable")) {
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
      const onExit = () => settle(() => reject(proc.endedByUs ? stoppedError() : new EngineError("engineCrashed", this.crashMessage(proc.link))));
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

  /** Forks this window's engine, or connects to the shared one (starting it if none runs). */
  private async open(loadParams: LoadParams, sharing: ReturnType<NonNullable<EngineSupervisorOptions["shared"]>>): Promise<EngineProcess> {
    this.outputTail.clear();
    const generation = this.generation;
    const { enginePath, env, log } = this.options;
    const link = sharing
      ? await connectSharedEngine({ enginePath, env, log, onOutput: (data) => this.logOutput(data), ...sharing }, loadParams)
      : forkEngine({ enginePath, env, onOutput: (data) => this.logOutput(data) });
    const proc = this.track(link);
    if (generation !== this.generation) {
      // Stopped while connecting: this link is nobody's.
      await this.terminate(proc);
      throw stoppedError();
    }
    this.process = proc;
    return proc;
  }

  private track(link: EngineLink): EngineProcess {
    let markExited!: () => void;
    const exited = new Promise<void>((resolve) => (markExited = resolve));
    const { connection } = link;
    const proc: EngineProcess = { link, connection, exited, exitListeners: new Set(), endedByUs: false };
    link.onEnd(() => {
      // A shared engine's output went to its log: its last lines explain a crash.
      this.outputTail.add(link.recentOutput().join("\n"));
      for (const listener of [...proc.exitListeners]) listener();
      proc.exitListeners.clear();
      markExited();
      this.onExit(proc);
    });
    connection.onNotification(Methods.text, (notification: TextNotification) => {
      this.textListeners.get(notification.requestId)?.(notification.text);
    });
    connection.onNotification(Methods.exiting, () => (proc.endedByEngine = link.shared));
    connection.onNotification(Methods.warning, (warning: { message: string }) => this.options.onWarning?.(warning.message));
    connection.onError(([error]) => this.options.log?.(`engine connection error: ${error.message}`));
    if (!link.shared) connection.listen();
    return proc;
  }

  private onExit(proc: EngineProcess): void {
    proc.connection.dispose();
    if (this.process !== proc) return;
    this.process = undefined;
    this.current = undefined;
    if (proc.endedByUs) return;
    if (proc.endedByEngine) {
      // Restarted from another window: connect again (to the new engine, or start it) without a crash.
      this.options.log?.("the shared engine exited on purpose; connecting again");
      this.startLaunch().catch((error: unknown) => this.options.log?.(`reconnecting failed: ${(error as Error).message}`));
      return;
    }
    this.crashed(`the engine process exited (${proc.link.endDescription()})`);
  }

  /** The engine died (or a shared one could not be started): restart with backoff, or give up. */
  private crashed(reason: string): void {
    this.options.log?.(`${reason}; last output:\n${this.outputTail.text()}`);
    const decision = this.policy.onCrash(Date.now());
    if (!decision.restart) {
      this.setState({
        kind: "failed",
        message: `The DeepSeek engine crashed ${decision.crashes} times in a few minutes (${reason}). ${this.outputTail.lastErrorLine()}Run "DeepSeek Local: Restart Engine" to try again.`,
      });
      return;
    }
    this.setState({ kind: "restarting", attempt: decision.attempt, delayMs: decision.delayMs, reason });
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.ensureRunning().catch((error: unknown) => this.options.log?.(`restart failed: ${(error as Error).message}`));
    }, decision.delayMs);
  }

  private crashMessage(link: EngineLink): string {
    return `The DeepSeek engine stopped unexpectedly (${link.endDescription()}). ${this.outputTail.lastErrorLine()}It restarts automatically.`;
  }

  private logOutput(data: string): void {
    for (const line of this.outputTail.add(data)) this.options.log?.(`[engine] ${line}`);
  }
}

async function fileSize(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).size;
  } catch {
    return undefined;
  }
}
