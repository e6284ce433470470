// What the engine serves, to one client (the window that forked it) or to several (a shared
// engine on a socket): the protocol's handlers bound to one connection, over one loaded model.
// Each client has its own ghost-text sequence (its slot; chat and refactors share, see
// windowSequences.ts) and its own requests in flight: a client that goes away has its requests
// cancelled and its slot freed, and the others do not notice.
import { CancellationToken, ResponseError, type MessageConnection, type NotificationType } from "vscode-jsonrpc/node";
import type { z } from "zod";
import {
  EngineError,
  EngineStatus,
  GenerateParams,
  HelloParams,
  LeavingParams,
  LoadParams,
  Methods,
  PrefillParams,
  TokenizeParams,
  engineErrorCodes,
  engineProtocolVersion,
  type HelloResult,
  type ResolvedLoadParams,
  type SequenceName,
} from "../protocol/engine.js";
import { TurnBatchedText } from "../core/generation/textStream.js";
import { ClientSlots } from "./clientSlots.js";
import { hardwareReport } from "./hardware.js";
import type { IdleCollector } from "./idleCollector.js";
import { LoadedModel, getEngineLlama, type SequenceSet } from "./loadedModel.js";
import type { SequenceRunner } from "./sequenceRunner.js";

/** One attached client: its connection, the requests it has in flight, the slot it uses. */
class EngineClient {
  readonly inFlight = new Map<AbortController, Promise<unknown>>();
  greeted: boolean;
  slot: { model: LoadedModel; index: number } | undefined;
  /** It said it is done with the model (Methods.leaving): the engine need not stay for it. */
  exitWhenLast = false;

  constructor(
    readonly connection: MessageConnection,
    requireHello: boolean,
    /** Ends the client's transport (a refused handshake). */
    readonly disconnect: () => void,
  ) {
    this.greeted = !requireHello;
  }

  /**
   * Sends a notification; one to a client that has just gone is dropped (a rejected send would
   * otherwise end the process that serves the other windows).
   */
  notify<P>(type: NotificationType<P>, params: P): void {
    try {
      this.connection.sendNotification(type, params).catch(() => undefined);
    } catch {
      // the connection is already closed: nobody to tell
    }
  }
}

export class EngineService {
  private loaded: LoadedModel | undefined;
  private loadedParams: string | undefined;
  private loadQueue: Promise<unknown> = Promise.resolve();
  private readonly slotTables = new WeakMap<LoadedModel, ClientSlots>();
  private readonly clients = new Set<EngineClient>();
  private modelLoads = 0;

  /** `shared`: serves several windows on a socket; `build`: what they must name in their handshake. */
  constructor(
    private readonly shared: boolean,
    private readonly build: string,
    /** Hands back the native memory finished requests leave, once the engine is idle. */
    private readonly collector?: IdleCollector,
  ) {}

  get clientCount(): number {
    return this.clients.size;
  }

  /**
   * Serves `connection`; `onDetach` runs once it closes or is disposed, after its requests were
   * cancelled and its slot freed, told whether the client was done with the model (Methods.leaving).
   */
  attach(connection: MessageConnection, options: { requireHello: boolean; onDetach?: (exitWhenLast: boolean) => void; disconnect?: () => void }): void {
    const client = new EngineClient(connection, options.requireHello, options.disconnect ?? (() => connection.dispose()));
    this.clients.add(client);
    this.registerHandlers(client);
    const detach = () => {
      if (!this.clients.delete(client)) return;
      for (const controller of client.inFlight.keys()) controller.abort();
      const settled = Promise.allSettled([...client.inFlight.values()]);
      this.releaseSlot(client, settled);
      options.onDetach?.(client.exitWhenLast);
    };
    // A disposed connection reports no close: both end the client.
    connection.onClose(detach);
    connection.onDispose(detach);
    connection.listen();
  }

  /** Cancels every request, waits for them, unloads the model (before exit). */
  async shutdown(): Promise<boolean> {
    // Told first, so the clients reconnect instead of reporting a crash.
    for (const client of this.clients) client.notify(Methods.exiting, { reason: "the engine was asked to exit" });
    for (const client of this.clients) for (const controller of client.inFlight.keys()) controller.abort();
    await Promise.allSettled([...this.clients].flatMap((client) => [...client.inFlight.values()]));
    return this.unloadModel();
  }

  private async unloadModel(): Promise<boolean> {
    const previous = this.loaded;
    this.loaded = undefined;
    this.loadedParams = undefined;
    await previous?.dispose();
    return !!previous;
  }

  private requireModel(): LoadedModel {
    if (!this.loaded) throw new EngineError("notLoaded", "No model is loaded.");
    return this.loaded;
  }

  /** Runs `task` on the client's runner for `sequence` in the loaded model; a client new to this model takes a slot. */
  private onSequence<T>(client: EngineClient, sequence: SequenceName, task: (runner: SequenceRunner) => Promise<T>): Promise<T> {
    const model = this.requireModel();
    if (client.slot?.model !== model) {
      let table = this.slotTables.get(model);
      if (!table) this.slotTables.set(model, (table = new ClientSlots(model.slotCount)));
      client.slot = { model, index: table.take() };
    }
    const index = client.slot.index;
    const run = () => model.run(index, sequence, task);
    return this.collector ? this.collector.around(run) : run();
  }

  /**
   * The client's slot is free. A client that left (`settled`: its cancelled requests) gives the
   * slot's memory back once no window uses it (of the first slot, only its own chat or refactor sequence);
   * before a reload nothing is freed here, the whole model goes.
   */
  private releaseSlot(client: EngineClient, settled?: Promise<unknown>): void {
    const slot = client.slot;
    client.slot = undefined;
    if (!slot) return;
    const table = this.slotTables.get(slot.model);
    table?.release(slot.index);
    if (!settled || table?.usersOf(slot.index)) return;
    void settled.then(() => {
      if (!table?.usersOf(slot.index)) return slot.model.freeSlot(slot.index);
    });
  }

  /**
   * A load, one at a time. On a shared engine the same settings as the loaded model answer at once
   * (another window loaded it), and other settings replace the model only when no other client uses
   * it; a forked engine's window reloads whenever it asks.
   */
  private load(params: ResolvedLoadParams): Promise<LoadedModel> {
    const next = this.loadQueue.catch(() => undefined).then(() => this.loadNow(params));
    this.loadQueue = next;
    return next;
  }

  private async loadNow(params: ResolvedLoadParams): Promise<LoadedModel> {
    const key = JSON.stringify(params);
    if (this.shared && this.loaded) {
      if (this.loadedParams === key) return this.loaded;
      if (this.clients.size > 1) {
        throw new EngineError("engineUnavailable", "The shared engine serves other windows with other model settings; it was not reloaded.");
      }
    }
    for (const client of this.clients) this.releaseSlot(client);
    await this.unloadModel();
    this.loaded = await LoadedModel.load(params, (message) => this.warnAll(message));
    this.modelLoads++;
    this.loadedParams = key;
    return this.loaded;
  }

  private warnAll(message: string): void {
    for (const client of this.clients) client.notify(Methods.warning, { code: "engine", message });
  }

  /** Wraps a handler: typed errors travel as JSON-RPC errors with their code name in `data`. */
  private handle<P, R>(client: EngineClient, run: (params: P, signal: AbortSignal) => Promise<R>) {
    return async (params: P, token: CancellationToken): Promise<R | ResponseError<{ code: string }>> => {
      const controller = new AbortController();
      const subscription = token.onCancellationRequested(() => controller.abort());
      const running = client.greeted
        ? run(params, controller.signal)
        : Promise.reject(new EngineError("versionMismatch", "The engine's handshake (engine/hello) must come first."));
      client.inFlight.set(controller, running);
      try {
        return await running;
      } catch (error) {
        const engineError = error instanceof EngineError ? error : new EngineError("internal", error instanceof Error ? error.message : String(error));
        return new ResponseError(engineErrorCodes[engineError.code], engineError.message, { code: engineError.code });
      } finally {
        client.inFlight.delete(controller);
        subscription.dispose();
      }
    };
  }

  /** A handler whose params are validated first: it receives them parsed (defaults applied). */
  private handleParams<S extends z.ZodTypeAny, R>(client: EngineClient, schema: S, run: (params: z.output<S>, signal: AbortSignal) => Promise<R>) {
    return this.handle(client, (raw: unknown, signal) => run(parse(schema, raw), signal));
  }

  private hello(client: EngineClient, params: HelloParams): HelloResult {
    if (params.protocolVersion !== engineProtocolVersion || params.build !== this.build) {
      // Answered, then the connection is closed: the client starts an engine of its own build.
      setTimeout(() => client.disconnect(), 100);
      throw new EngineError(
        "versionMismatch",
        `This engine is build ${this.build} (protocol ${engineProtocolVersion}); the client is build ${params.build} (protocol ${params.protocolVersion}).`,
      );
    }
    client.greeted = true;
    return { protocolVersion: engineProtocolVersion, build: this.build, pid: process.pid, clients: this.clients.size };
  }

  private registerHandlers(client: EngineClient): void {
    const { connection } = client;
    connection.onRequest(Methods.hello, async (raw: unknown) => {
      try {
        return this.hello(client, parse(HelloParams, raw));
      } catch (error) {
        const engineError = error instanceof EngineError ? error : new EngineError("internal", String(error));
        return new ResponseError(engineErrorCodes[engineError.code], engineError.message, { code: engineError.code });
      }
    });
    // Answered at once, not queued behind the client's requests: the window closes right after.
    connection.onRequest(Methods.leaving, (raw: unknown) => {
      client.exitWhenLast = !parse(LeavingParams, raw).keepRunning;
      return null;
    });
    connection.onRequest(Methods.load, this.handleParams(client, LoadParams, async (params) => (await this.load(params)).info));
    // Asked before any model exists (the first-run recommendation), so it needs no model.
    connection.onRequest(Methods.hardware, this.handle(client, async () => hardwareReport(await getEngineLlama())));
    connection.onRequest(
      Methods.unload,
      this.handle(client, async () => {
        // A shared model stays for the other windows.
        if (this.clients.size <= 1) await this.unloadModel();
        return null;
      }),
    );
    connection.onRequest(
      Methods.tokenize,
      this.handleParams(client, TokenizeParams, async ({ text, parseSpecial }) => ({ tokens: this.requireModel().tokenize(text, parseSpecial) })),
    );
    // A streaming request: its text also goes out as it is written, as notifications naming the request.
    connection.onRequest(
      Methods.generate,
      this.handleParams(client, GenerateParams, async ({ requestId, sequence, stream, ...request }, signal) => {
        const batched = stream ? new TurnBatchedText((text) => client.notify(Methods.text, { requestId, text })) : undefined;
        try {
          return await this.onSequence(client, sequence, (runner) => runner.generate({ ...request, signal, onText: batched && ((text) => batched.push(text)) }));
        } finally {
          batched?.flush();
        }
      }),
    );
    connection.onRequest(
      Methods.prefill,
      this.handleParams(client, PrefillParams, async ({ sequence, prompt, stablePrefixSegments }, signal) => ({
        metrics: await this.onSequence(client, sequence, (runner) => runner.prefill(prompt, signal, stablePrefixSegments)),
      })),
    );
    connection.onRequest(Methods.status, this.handle(client, () => this.status(client)));
    connection.onRequest(Methods.cacheStats, this.handle(client, async () => this.requireModel().cacheStats()));
    connection.onRequest(
      Methods.cacheClear,
      this.handle(client, async () => {
        await this.requireModel().clearCache();
        return null;
      }),
    );
  }

  /** The model and this client's own sequences. */
  private async status(client: EngineClient): Promise<EngineStatus> {
    const model = this.loaded;
    // Only sequences the client has: asking for status makes no context.
    const sequences: Partial<SequenceSet> = model && client.slot?.model === model ? await model.runnersOf(client.slot.index) : {};
    return {
      loaded: !!model,
      model: model?.info ?? null,
      rssBytes: process.memoryUsage.rss(),
      modelLoads: this.modelLoads,
      clients: this.clients.size,
      contexts: model ? await model.contextCount() : 0,
      idleCollections: this.collector && { ...this.collector.pauses },
      sequences: Object.fromEntries(
        Object.entries(sequences).map(([name, runner]: [string, SequenceSet[keyof SequenceSet]]) => [
          name,
          { tokens: runner.tokenCount, evaluatedTotal: runner.evaluatedTotal, generatedTotal: runner.generatedTotal },
        ]),
      ),
    };
  }
}

function parse<S extends z.ZodTypeAny>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new EngineError("invalidRequest", `Invalid request: ${result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return result.data;
}
