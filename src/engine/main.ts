// The engine process: the only place that runs the model. It speaks the protocol of
// src/protocol/engine.ts over the IPC channel of the process that forked it.
import { CancellationToken, ResponseError, createMessageConnection } from "vscode-jsonrpc/node";
import { IPCMessageReader, IPCMessageWriter } from "vscode-jsonrpc/node";
import type { z } from "zod";
import {
  EngineError,
  EngineStatus,
  GenerateParams,
  LoadParams,
  Methods,
  PrefillParams,
  TokenizeParams,
  engineErrorCodes,
} from "../protocol/engine.js";
import { LoadedModel, getEngineLlama } from "./loadedModel.js";
import { TurnBatchedText } from "../core/generation/textStream.js";
import { hardwareReport } from "./hardware.js";

if (!process.send) {
  console.error("The DeepSeek Local engine must be started by the extension (it talks over an IPC channel).");
  process.exit(2);
}

const connection = createMessageConnection(new IPCMessageReader(process), new IPCMessageWriter(process));
let loaded: LoadedModel | undefined;
let loading: Promise<LoadedModel> | undefined;

function parse<S extends z.ZodTypeAny>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    throw new EngineError("invalidRequest", `Invalid request: ${result.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  return result.data;
}

/** Disposes the loaded model (context, then model); the engine stays up, empty. */
async function unloadModel(): Promise<boolean> {
  const previous = loaded;
  loaded = undefined;
  await previous?.dispose();
  return !!previous;
}

function requireModel(): LoadedModel {
  if (!loaded) throw new EngineError("notLoaded", "No model is loaded.");
  return loaded;
}

/** Requests being handled, by the controller that cancels them: an exit cancels them first. */
const inFlight = new Map<AbortController, Promise<unknown>>();

/** Wraps a handler: typed errors travel as JSON-RPC errors with their code name in `data`. */
function handle<P, R>(run: (params: P, signal: AbortSignal) => Promise<R>) {
  return async (params: P, token: CancellationToken): Promise<R | ResponseError<{ code: string }>> => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    const running = run(params, controller.signal);
    inFlight.set(controller, running);
    try {
      return await running;
    } catch (error) {
      const engineError =
        error instanceof EngineError ? error : new EngineError("internal", error instanceof Error ? error.message : String(error));
      return new ResponseError(engineErrorCodes[engineError.code], engineError.message, { code: engineError.code });
    } finally {
      inFlight.delete(controller);
      subscription.dispose();
    }
  };
}

/** A handler whose params are validated first: it receives them parsed (defaults applied), to pass on as they are. */
function handleParams<S extends z.ZodTypeAny, R>(schema: S, run: (params: z.output<S>, signal: AbortSignal) => Promise<R>) {
  return handle((raw: unknown, signal) => run(parse(schema, raw), signal));
}

connection.onRequest(
  Methods.load,
  handleParams(LoadParams, async (params) => {
    // A new load replaces the model; a failed load leaves the engine empty but usable.
    await loading?.catch(() => undefined);
    await unloadModel();
    loading = LoadedModel.load(params, (message) => void connection.sendNotification(Methods.warning, { code: "engine", message }));
    loaded = await loading;
    return loaded.info;
  }),
);

// Asked before any model exists (the first-run recommendation), so it needs no model.
connection.onRequest(
  Methods.hardware,
  handle(async () => hardwareReport(await getEngineLlama())),
);

connection.onRequest(
  Methods.unload,
  handle(async () => {
    await unloadModel();
    return null;
  }),
);

connection.onRequest(
  Methods.tokenize,
  handleParams(TokenizeParams, async ({ text, parseSpecial }) => ({ tokens: requireModel().tokenize(text, parseSpecial) })),
);

// A streaming request: its text also goes out as it is written, as notifications naming the request.
connection.onRequest(
  Methods.generate,
  handleParams(GenerateParams, async ({ requestId, sequence, stream, ...request }, signal) => {
    const runner = requireModel().sequences[sequence];
    const batched = stream ? new TurnBatchedText((text) => void connection.sendNotification(Methods.text, { requestId, text })) : undefined;
    try {
      return await runner.generate({ ...request, signal, onText: batched && ((text) => batched.push(text)) });
    } finally {
      batched?.flush();
    }
  }),
);

connection.onRequest(
  Methods.prefill,
  handleParams(PrefillParams, async ({ sequence, prompt, stablePrefixSegments }, signal) => ({
    metrics: await requireModel().sequences[sequence].prefill(prompt, signal, stablePrefixSegments),
  })),
);

connection.onRequest(
  Methods.status,
  handle(async () => {
    const model = loaded;
    const status: EngineStatus = {
      loaded: !!model,
      model: model?.info ?? null,
      rssBytes: process.memoryUsage.rss(),
      sequences: model
        ? Object.fromEntries(
            Object.entries(model.sequences).map(([name, runner]) => [
              name,
              { tokens: runner.tokenCount, evaluatedTotal: runner.evaluatedTotal, generatedTotal: runner.generatedTotal },
            ]),
          )
        : {},
    };
    return status;
  }),
);

connection.onRequest(
  Methods.cacheStats,
  handle(async () => requireModel().cacheStats()),
);

connection.onRequest(
  Methods.cacheClear,
  handle(async () => {
    await requireModel().clearCache();
    return null;
  }),
);

/**
 * Asked to exit (the host closed the channel, or sent SIGTERM): the context and model are disposed
 * first, so llama.cpp releases its buffers and threads in order instead of the process dying
 * around them; requests in progress are cancelled before. The supervisor's kill timer is the
 * fallback for an engine too stuck to get here. A load still in progress is not waited for.
 */
let exiting = false;
async function exitGracefully(): Promise<void> {
  if (exiting) return;
  exiting = true;
  try {
    if (loaded) {
      // Requests in progress end first (cancelled, within one batch), so nothing uses the context as it goes.
      for (const controller of inFlight.keys()) controller.abort();
      await Promise.allSettled(inFlight.values());
      if (await unloadModel()) console.log("the model was unloaded before exit");
    }
  } catch (error) {
    console.error(`error: unloading the model before exit failed: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    process.exit(0);
  }
}

// The host going away means we go away: never leave a model-sized orphan behind.
connection.onClose(() => void exitGracefully());
process.on("disconnect", () => void exitGracefully());
process.on("SIGTERM", () => void exitGracefully());
connection.listen();
