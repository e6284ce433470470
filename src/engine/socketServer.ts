// A shared engine's listener: every connection on the user-private socket is a client window
// (framed JSON-RPC, the same messages as over IPC, after a handshake). With no client attached
// for `idleExitMs` (from the start, or since the last one left) the engine exits, at once when the
// last one left saying it is done with the model (Methods.leaving). Exiting closes
// the listener first: Node removes the socket file while this engine still owns it, and a window
// that connects meanwhile starts a new engine instead of joining one on its way out.
import { chmodSync } from "node:fs";
import net from "node:net";
import { SocketMessageReader, SocketMessageWriter, createMessageConnection } from "vscode-jsonrpc/node";
import type { EngineService } from "./engineService.js";

export function serveSocket(address: string, service: EngineService, idleExitMs: number, exit: () => void): net.Server {
  let idleTimer: NodeJS.Timeout | undefined;
  const armIdleExit = () => {
    clearTimeout(idleTimer);
    if (service.clientCount === 0) idleTimer = setTimeout(exit, idleExitMs);
  };
  const server = net.createServer((socket) => {
    clearTimeout(idleTimer);
    const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
    // Destroyed, not the connection disposed: a disposed connection never reports its close, and
    // the client would stay attached for good (a write to a window that just left fails with EPIPE).
    socket.on("error", () => socket.destroy());
    service.attach(connection, {
      requireHello: true,
      onDetach: (exitWhenLast) => (exitWhenLast && service.clientCount === 0 ? exit() : armIdleExit()),
      disconnect: () => socket.destroy(),
    });
  });
  server.on("error", (error) => {
    console.error(`error: the engine cannot listen on ${address}: ${error.message}`);
    process.exit(3);
  });
  server.listen(address, () => {
    // The directory is already the user's alone (0700); the socket is too.
    if (process.platform !== "win32") chmodSync(address, 0o600);
    console.log(`engine ${process.pid} listening on ${address}`);
    armIdleExit();
  });
  return server;
}
