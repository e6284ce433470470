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

function requireModel(): LoadedModel {
  if (!loaded) throw new EngineError("notLoaded", "No model is loaded.");
  return loaded;
}

/** Wraps a handler: typed errors travel as JSON-RPC errors with their code name in `data`. */
function handle<P, R>(run: (params: P, signal: AbortSignal) => Promise<R>) {
  return async (params: P, token: CancellationToken): Promise<R | ResponseError<{ code: string }>> => {
    const controller = new AbortController();
    const subscription = token.onCancellationRequested(() => controller.abort());
    try {
      return await run(params, controller.signal);
    } catch (error) {
      const engineError =
        error instanceof EngineError ? error : new EngineError("internal", error instanceof Error ? error.message : String(error));
      return new ResponseError(engineErrorCodes[engineError.code], engineError.message, { code: engineError.code });
    } finally {
      subscription.dispose();
    }
  };
}

connection.onRequest(
  Methods.load,
  handle(async (raw) => {
    const params = parse(LoadParams, raw);
    // A new load replaces the model; a failed load leaves the engine empty but usable.
    await loading?.catch(() => undefined);
    const previous = loaded;
    loaded = undefined;
    await previous?.dispose();
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
    const previous = loaded;
    loaded = undefined;
    await previous?.dispose();
    return null;
  }),
);

connection.onRequest(
  Methods.tokenize,
  handle(async (raw) => {
    const params = parse(TokenizeParams, raw);
    return { tokens: requireModel().tokenize(params.text, params.parseSpecial) };
  }),
);

connection.onRequest(
  Methods.generate,
  handle(async (raw, signal) => {
    const params = parse(GenerateParams, raw);
    const runner = requireModel().sequences[params.sequence];
    const stream = params.stream
      ? new TurnBatchedText((text) => void connection.sendNotification(Methods.text, { requestId: params.requestId, text }))
      : undefined;
    try {
      return await runner.generate({
        prompt: params.prompt,
        maxTokens: params.maxTokens,
        temperature: params.temperature,
        topK: params.topK,
        topP: params.topP,
        seed: params.seed,
        stopStrings: params.stopStrings,
        jsonSchema: params.jsonSchema,
        timeoutMs: params.timeoutMs,
        signal,
        stablePrefixSegments: params.stablePrefixSegments,
        onText: stream && ((text) => stream.push(text)),
      });
    } finally {
      stream?.flush();
    }
  }),
);

connection.onRequest(
  Methods.prefill,
  handle(async (raw, signal) => {
    const params = parse(PrefillParams, raw);
    return { metrics: await requireModel().sequences[params.sequence].prefill(params.prompt, signal, params.stablePrefixSegments) };
  }),
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

// The host going away means we go away: never leave a model-sized orphan behind.
connection.onClose(() => process.exit(0));
process.on("disconnect", () => process.exit(0));
connection.listen();
