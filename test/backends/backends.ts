// Both backends on the same synthetic model, for feature tests that must pass on each:
//
//   describe.each(backendNames)("ghost text on the %s backend", (name) => {
//     let backend: OpenBackend;
//     beforeAll(async () => { backend = await openBackend(name); }, 40 * 60_000);
//     afterAll(() => backend?.close());
//     it("…", async () => { await backend.engine.infill({ … }); });
//   });
//
// "local" is the engine process (LocalEngine over dist/engine.mjs); "http" is HttpEngine talking to a
// real llama-server on 127.0.0.1 (built once and cached: the first run may take ~14 min). The
// llama-server uses a tool-capable variant of the model's chat template (fixtures/), so tool calls
// work over HTTP; the same text format as the model's own template otherwise.
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Engine } from "../../src/core/engine/engine.js";
import { HttpEngine, type HttpEngineOptions } from "../../src/backends/http/httpEngine.js";
import { createLocalEngine } from "../../src/backends/local/localEngine.js";
import { startLlamaServer, type LlamaServer } from "../fixtures/llama-server.js";
import { ensureSyntheticModel } from "../fixtures/synthetic-model/index.js";

export const backendNames = ["local", "http"] as const;
export type BackendName = (typeof backendNames)[number];

export const toolChatTemplatePath = path.join(path.dirname(fileURLToPath(import.meta.url)), "fixtures", "coder-v2-with-tools.jinja");

export interface BackendOptions {
  /** Context size in tokens (default 4096). */
  contextSize?: number;
  /** CPU threads (default 1: two threads on two shared cores stall each other at every barrier). */
  threads?: number;
  /** Model file (default: the cached synthetic model). */
  modelPath?: string;
  /** llama-server slots (default 1: one shared KV, as the local context has). */
  slots?: number;
  /** For the HTTP engine: e.g. `extraBody`, timeouts. */
  http?: Partial<HttpEngineOptions>;
  /** Run each llama-server in this process's log (default: silent). */
  log?: (line: string) => void;
}

export interface OpenBackend {
  name: BackendName;
  engine: Engine;
  /** The llama-server behind the HTTP engine. */
  server?: LlamaServer;
  close(): Promise<void>;
}

export async function openBackend(name: BackendName, options: BackendOptions = {}): Promise<OpenBackend> {
  const modelPath = options.modelPath ?? (await ensureSyntheticModel());
  const contextSize = options.contextSize ?? 4096;
  const threads = options.threads ?? 1;
  if (name === "local") {
    const engine = createLocalEngine({ modelPath, contextSize, threads, log: options.log });
    return { name, engine, close: () => engine.dispose() };
  }
  const server = await startLlamaServer({
    model: modelPath,
    threads,
    ctxSize: contextSize * (options.slots ?? 1),
    extraArgs: ["--jinja", "--chat-template-file", toolChatTemplatePath, "--parallel", String(options.slots ?? 1)],
  });
  const engine = new HttpEngine({ baseUrl: server.url, flavor: "auto", log: options.log, ...options.http });
  return {
    name,
    engine,
    server,
    close: async () => {
      await engine.dispose();
      await server.stop();
    },
  };
}

/** Every backend at once, as `[name, engine]` pairs; `close()` stops them all. */
export async function openBackends(options: BackendOptions = {}): Promise<{ backends: [BackendName, Engine][]; close(): Promise<void> }> {
  const opened: OpenBackend[] = [];
  try {
    for (const name of backendNames) opened.push(await openBackend(name, options));
  } catch (error) {
    await Promise.all(opened.map((backend) => backend.close()));
    throw error;
  }
  return {
    backends: opened.map((backend) => [backend.name, backend.engine]),
    close: async () => {
      await Promise.all(opened.map((backend) => backend.close()));
    },
  };
}
