// A shared engine's listener: a window whose socket fails (EPIPE on a write to a window that has
// just left) must be detached like one that closed, or the engine serves a ghost and never exits.
import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { SocketMessageReader, SocketMessageWriter, createMessageConnection } from "vscode-jsonrpc/node";
import { EngineService } from "../../../src/engine/engineService.js";
import { serveSocket } from "../../../src/engine/socketServer.js";
import { Methods, engineProtocolVersion } from "../../../src/protocol/engine.js";

const build = "socket-server-test";
let dir: string;
let server: net.Server | undefined;
const windows: net.Socket[] = [];

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "deepseek-socket-server-"));
});

afterEach(async () => {
  for (const socket of windows.splice(0)) socket.destroy();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

/** A listening engine service; `exits` counts the times it decided to exit. */
async function listen(idleExitMs: number) {
  const service = new EngineService(true, build);
  const exits: number[] = [];
  const serverSockets: net.Socket[] = [];
  const address = path.join(dir, "engine.sock");
  server = serveSocket(address, service, idleExitMs, () => exits.push(performance.now()));
  server.on("connection", (socket) => serverSockets.push(socket));
  await new Promise((resolve) => server!.once("listening", resolve));
  return { service, exits, serverSockets, address };
}

/** A window: connected, and greeted with this build's handshake. */
async function connectWindow(address: string) {
  const socket = net.connect(address);
  windows.push(socket);
  await new Promise((resolve) => socket.once("connect", resolve));
  const connection = createMessageConnection(new SocketMessageReader(socket), new SocketMessageWriter(socket));
  connection.listen();
  await connection.sendRequest(Methods.hello, { protocolVersion: engineProtocolVersion, build });
  return { socket, connection };
}

async function until(condition: () => boolean, timeoutMs = 2_000): Promise<boolean> {
  for (const deadline = performance.now() + timeoutMs; !condition() && performance.now() < deadline; ) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return condition();
}

describe("the shared engine's socket listener", () => {
  it("detaches a window whose socket fails, and exits once idle with nobody attached", async () => {
    const engine = await listen(150);
    await connectWindow(engine.address);
    await connectWindow(engine.address);
    expect(await until(() => engine.service.clientCount === 2)).toBe(true);
    const failedAt = performance.now();
    engine.serverSockets[0]!.emit("error", Object.assign(new Error("write EPIPE"), { code: "EPIPE" }));
    expect(await until(() => engine.service.clientCount === 1)).toBe(true);
    engine.serverSockets[1]!.emit("error", Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" }));
    expect(await until(() => engine.service.clientCount === 0)).toBe(true);
    expect(await until(() => engine.exits.length > 0)).toBe(true);
    expect(engine.exits).toHaveLength(1);
    expect(engine.exits[0]! - failedAt).toBeGreaterThanOrEqual(150);
  });

  it("exits at once when the last window leaves saying it is done, and stays while another is attached", async () => {
    const engine = await listen(60_000);
    const first = await connectWindow(engine.address);
    const second = await connectWindow(engine.address);
    await first.connection.sendRequest(Methods.leaving, { keepRunning: false });
    first.socket.destroy();
    expect(await until(() => engine.service.clientCount === 1)).toBe(true);
    expect(engine.exits).toHaveLength(0);
    await second.connection.sendRequest(Methods.leaving, { keepRunning: false });
    second.socket.destroy();
    expect(await until(() => engine.exits.length === 1)).toBe(true);
  });
});
