// One engine for all of a user's windows: connect to the engine listening at the endpoint of this
// build and these load settings, or start it detached (it outlives the window that started it)
// under a lock, so that of several windows starting at once, or restarting after a crash, exactly
// one starts it and the others connect. A handshake refuses an engine of another build.
import { spawn } from "node:child_process";
import { closeSync, openSync, readFileSync, unlinkSync } from "node:fs";
import net from "node:net";
import { SocketMessageReader, SocketMessageWriter, createMessageConnection, type Message } from "vscode-jsonrpc/node";
import { EngineError, HelloResult, Methods, engineProtocolVersion, type LoadParams } from "../protocol/engine.js";
import type { EngineLink } from "./engineLink.js";
import { engineEndpoint, type EngineEndpoint } from "./engineEndpoint.js";
import { engineProcessEnv } from "./engineProcessEnv.js";
import { followLog } from "./logFollower.js";
import { acquireSpawnLock, isProcessAlive } from "./spawnLock.js";

export interface SharedEngineOptions {
  enginePath: string;
  env?: NodeJS.ProcessEnv;
  /** How long the engine stays up with no window attached. */
  idleExitMs: number;
  /** How long starting the engine may take until it listens (not the model load). */
  startTimeoutMs?: number;
  log?: (line: string) => void;
  /** The engine's output (its log file), whole lines, as it writes them. */
  onOutput?: (text: string) => void;
}

const defaultStartTimeoutMs = 30_000;
const logTailBytes = 4096;
// An engine killed a moment ago may still accept a connection from its listen backlog and then drop
// it: a connection closed before the handshake answered is tried again, not reported.
const handshakeAttempts = 3;
const handshakeRetryDelayMs = 100;

/** Connects this window to the shared engine, starting it if none listens; the handshake is done. */
export async function connectSharedEngine(options: SharedEngineOptions, params: LoadParams): Promise<EngineLink> {
  const endpoint = engineEndpoint(options.enginePath, params, { ...process.env, ...options.env });
  for (let attempt = 1; ; attempt++) {
    const socket = (await tryConnect(endpoint.address)) ?? (await startUnderLock(endpoint, options));
    const link = socketLink(socket, endpoint, options.onOutput);
    try {
      return await handshake(link, endpoint, options);
    } catch (error) {
      const droppedBeforeAnswer = !link.isLive();
      socket.destroy();
      const data = (error as { data?: { code?: unknown } }).data;
      if (data?.code === "versionMismatch") throw new EngineError("versionMismatch", (error as Error).message);
      if (!droppedBeforeAnswer || attempt >= handshakeAttempts) {
        throw new EngineError("engineUnavailable", `The shared engine at ${endpoint.address} did not answer its handshake: ${(error as Error).message}`);
      }
      options.log?.(`the shared engine at ${endpoint.address} closed the connection before its handshake; connecting again`);
      await new Promise((resolve) => setTimeout(resolve, handshakeRetryDelayMs));
    }
  }
}

async function handshake(link: EngineLink, endpoint: EngineEndpoint, options: SharedEngineOptions): Promise<EngineLink> {
  const { connection } = link;
  connection.listen();
  const hello = HelloResult.parse(await connection.sendRequest(Methods.hello, { protocolVersion: engineProtocolVersion, build: endpoint.build }));
  (link as { pid: number | undefined }).pid = hello.pid;
  options.log?.(`connected to the shared engine (pid ${hello.pid}, ${hello.clients} window(s)) at ${endpoint.address}`);
  return link;
}

async function startUnderLock(endpoint: EngineEndpoint, options: SharedEngineOptions): Promise<net.Socket> {
  const startTimeoutMs = options.startTimeoutMs ?? defaultStartTimeoutMs;
  const lock = await acquireSpawnLock(endpoint.lockPath, { staleMs: startTimeoutMs + 5_000, timeoutMs: startTimeoutMs + 10_000 });
  try {
    // Another window may have started it while this one waited for the lock.
    const existing = await tryConnect(endpoint.address);
    if (existing) return existing;
    return await spawnAndWait(endpoint, options, startTimeoutMs);
  } finally {
    lock.release();
  }
}

async function spawnAndWait(endpoint: EngineEndpoint, options: SharedEngineOptions, timeoutMs: number): Promise<net.Socket> {
  // Nothing answers there (we hold the lock): a socket file left by a killed engine is stale.
  if (process.platform !== "win32") removeIfPresent(endpoint.address);
  const logFd = openSync(endpoint.logPath, "w", 0o600);
  const env = engineProcessEnv(process.env, {
    ...options.env,
    DEEPSEEK_ENGINE_SOCKET: endpoint.address,
    DEEPSEEK_ENGINE_IDLE_EXIT_MS: String(options.idleExitMs),
  });
  const child = spawn(process.execPath, [options.enginePath], { detached: true, stdio: ["ignore", logFd, logFd], env, windowsHide: true });
  closeSync(logFd);
  child.unref();
  options.log?.(`started the shared engine (pid ${child.pid}) at ${endpoint.address}`);
  let exited = false;
  child.once("exit", () => (exited = true));
  child.once("error", () => (exited = true));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !exited) {
    const socket = await tryConnect(endpoint.address);
    if (socket) return socket;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!exited && child.pid !== undefined && isProcessAlive(child.pid)) process.kill(child.pid, "SIGKILL");
  const tail = engineLogTail(endpoint.logPath).slice(-3).join(" / ");
  throw new EngineError("engineCrashed", `The shared engine did not start listening${exited ? " (it exited)" : ` within ${timeoutMs} ms`}. ${tail}`);
}

function tryConnect(address: string): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect(address);
    socket.once("connect", () => {
      socket.removeAllListeners("error");
      resolve(socket);
    });
    socket.once("error", () => {
      socket.destroy();
      resolve(undefined);
    });
  });
}

function socketLink(socket: net.Socket, endpoint: EngineEndpoint, onOutput: ((text: string) => void) | undefined): EngineLink {
  const listeners: (() => void)[] = [];
  let live = true;
  const follower = onOutput ? followLog(endpoint.logPath, onOutput) : undefined;
  // Registered before the connection's own: requests in flight fail as a crash (or a stop), not as
  // "connection disposed".
  const ended = new Promise<void>((resolve) =>
    socket.once("close", () => {
      live = false;
      // Its last lines first (they explain a crash), then the ones who wait for the end.
      follower?.flush();
      follower?.stop();
      for (const listener of listeners.splice(0)) listener();
      connection.dispose();
      resolve();
    }),
  );
  const connection = createMessageConnection(new SocketMessageReader(socket), new QuietSocketMessageWriter(socket));
  socket.on("error", () => socket.destroy());
  const link: EngineLink = {
    connection,
    pid: undefined,
    shared: true,
    ended,
    onEnd: (listener) => listeners.push(listener),
    endDescription: () =>
      `the shared engine's connection closed${link.pid !== undefined && !isProcessAlive(link.pid) ? ` and its process ${link.pid} is gone` : ""}`,
    // Destroyed, not ended: the engine cancels this window's requests as soon as it sees the close.
    close: () => socket.destroy(),
    kill: (signal) => {
      if (link.pid !== undefined && isProcessAlive(link.pid)) process.kill(link.pid, signal);
      else socket.destroy();
    },
    isLive: () => live,
    // Followed: its lines went to onOutput as they came.
    recentOutput: () => (follower ? [] : engineLogTail(endpoint.logPath)),
  };
  return link;
}

/**
 * vscode-jsonrpc's sendRequest rethrows a failed write inside a promise executor, where nothing can
 * catch it (an unhandled rejection). A write to an engine that went away (EPIPE) is left to the
 * socket's close instead, which rejects the requests in flight.
 */
class QuietSocketMessageWriter extends SocketMessageWriter {
  override async write(message: Message): Promise<void> {
    try {
      await super.write(message);
    } catch {
      // Reported through the writer's error event; the socket's close follows.
    }
  }
}

/** The last lines the shared engine wrote to its log (its stdout and stderr). */
export function engineLogTail(logPath: string): string[] {
  try {
    const text = readFileSync(logPath, "utf8");
    return text.slice(-logTailBytes).split(/\r?\n/).filter(Boolean);
  } catch {
    return [];
  }
}

function removeIfPresent(file: string): void {
  try {
    unlinkSync(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
}
