// The engine process: the only place that runs the model. It speaks the protocol of
// src/protocol/engine.ts either over the IPC channel of the window that forked it, or, started
// detached with DEEPSEEK_ENGINE_SOCKET set, to every window of this user on that socket (a shared
// engine: it exits after DEEPSEEK_ENGINE_IDLE_EXIT_MS with no window attached).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createMessageConnection } from "vscode-jsonrpc/node";
import { IPCMessageReader, IPCMessageWriter } from "vscode-jsonrpc/node";
import { engineBuildFromHash } from "../protocol/engine.js";
import { EngineService } from "./engineService.js";
import { IdleCollector, exposedGarbageCollector } from "./idleCollector.js";
import type { Server } from "node:net";
import { serveSocket } from "./socketServer.js";

const socketPath = process.env.DEEPSEEK_ENGINE_SOCKET;
if (!process.send && !socketPath) {
  console.error("The DeepSeek Local engine must be started by the extension (over an IPC channel or a socket).");
  process.exit(2);
}

const gc = exposedGarbageCollector();
const service = new EngineService(!!socketPath, ownBuild(), gc && new IdleCollector(gc));
let server: Server | undefined;

/**
 * Asked to exit (the window closed the channel, SIGTERM, or a shared engine idle long enough):
 * requests in progress are cancelled, then the context and model are disposed, so llama.cpp
 * releases its buffers and threads in order instead of the process dying around them. The
 * supervisor's kill timer is the fallback for an engine too stuck to get here.
 */
let exiting = false;
async function exitGracefully(): Promise<void> {
  if (exiting) return;
  exiting = true;
  server?.close();
  try {
    if (await service.shutdown()) console.log("the model was unloaded before exit");
  } catch (error) {
    console.error(`error: unloading the model before exit failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    process.exit(0);
  }
}

/** The engine's build: its own file's hash, as the extension computes it for the file it starts. */
function ownBuild(): string {
  return engineBuildFromHash(createHash("sha256").update(readFileSync(fileURLToPath(import.meta.url))).digest("hex"));
}

process.on("SIGTERM", () => void exitGracefully());
if (socketPath) {
  // A shared engine serves every window: one stray rejection must not end it for all of them.
  process.on("unhandledRejection", (reason) => console.error(`error: unhandled rejection in the engine: ${reason instanceof Error ? reason.stack : String(reason)}`));
  const idleExitMs = Number(process.env.DEEPSEEK_ENGINE_IDLE_EXIT_MS) || 10 * 60_000;
  server = serveSocket(socketPath, service, idleExitMs, () => void exitGracefully());
} else {
  // The window going away means we go away: never leave a model-sized orphan behind.
  const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
  process.on("disconnect", () => void exitGracefully());
  service.attach(connection, { requireHello: false, onDetach: () => void exitGracefully() });
}
