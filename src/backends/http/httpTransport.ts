// HTTP to a model server: JSON requests and SSE streams with timeouts, typed errors, and retries
// only where repeating is safe — before the server accepted the request, never once text streamed.
// Nothing is sent where the user did not point it: a redirect to another origin is refused (fetch
// would carry the gateway headers and the body there), and plain http to a host other than this
// machine needs the user's yes for that host (issue 19, item 9).
import { describeHttpFailure, retryDelayMs, type RetryPolicy } from "../../core/remote/httpFailure.js";
import { plainHttpHost } from "../../core/remote/plainHttp.js";
import { NdjsonParser } from "../../core/remote/ndjson.js";
import { SseParser } from "../../core/remote/sse.js";
import { EngineError } from "../../protocol/engine.js";
import { RemoteEngineError, cancelledError } from "./remoteError.js";

export interface TransportOptions {
  /** Extra headers from settings (e.g. for a gateway); never logged. */
  headers?: Record<string, string>;
  /** Read per request, so a key set while the backend runs is used at once. */
  apiKey?: () => Promise<string | undefined> | string | undefined;
  /** Credential headers from secret storage (e.g. X-Api-Key for a gateway), read per request; never logged. */
  secretHeaders?: () => Promise<Record<string, string>> | Record<string, string>;
  /**
   * Asked before a request goes over plain http to a host that is not this machine (`host` is
   * "name:port"); without it, or when it says no, the request is refused and nothing is sent.
   */
  allowPlainHttp?: (host: string) => Promise<boolean> | boolean;
  /** Until the response headers arrive (connect, queueing, prompt evaluation). */
  requestTimeoutMs: number;
  /** The longest silence allowed inside a stream before it counts as dropped. */
  idleTimeoutMs: number;
  retry: RetryPolicy;
  /**
   * One line per request the server answered (method, the URL without credentials or query, status,
   * time until the answer's headers), and one per retry or redirect. Never headers, keys or bodies.
   */
  log?: (line: string) => void;
}

type Method = "GET" | "POST";

/** How a streamed answer is framed: server-sent events, or one JSON object per line (Ollama). */
export type StreamFraming = "sse" | "ndjson";

interface Frame {
  event: string;
  data: string;
}

interface FrameDecoder {
  push(text: string): Frame[];
  end(): { events: Frame[]; truncated: boolean };
}

function sseFrames(): FrameDecoder {
  const parser = new SseParser();
  return { push: (text) => parser.push(text), end: () => parser.end() };
}

function ndjsonFrames(): FrameDecoder {
  const parser = new NdjsonParser();
  const frame = (data: string): Frame => ({ event: "message", data });
  return {
    push: (text) => parser.push(text).map(frame),
    end: () => {
      const end = parser.end();
      return { events: end.lines.map(frame), truncated: end.truncated };
    },
  };
}

/** Same-origin redirects followed before giving up (fetch's own limit is 20). */
const maxRedirects = 5;

/** Why our own controller aborted a request (the caller's signal is the third reason). */
type AbortCause = { kind: "requestTimeout" } | { kind: "idleTimeout" };

export class HttpTransport {
  /** The keys sent so far, so that a server echoing one back never puts it in a message. */
  private readonly keys = new Set<string>();
  /** Secret header values sent so far, redacted like the key. */
  private readonly secretValues = new Set<string>();

  constructor(private readonly options: TransportOptions) {}

  async getJson(url: string, signal?: AbortSignal): Promise<unknown> {
    return this.json("GET", url, undefined, signal);
  }

  async postJson(url: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    return this.json("POST", url, body, signal);
  }

  /**
   * POSTs and yields each streamed event's JSON payload until `[DONE]` or the end of the body: SSE
   * (OpenAI-style servers) or NDJSON (Ollama's native API). The caller decides whether the answer
   * was complete (a stream may end cleanly mid-answer when a proxy drops it).
   */
  async *stream(url: string, body: unknown, signal?: AbortSignal, framing: StreamFraming = "sse"): AsyncGenerator<unknown, { truncated: boolean }> {
    const { response, watch } = await this.open("POST", url, body, signal, framing === "sse" ? "text/event-stream" : "application/x-ndjson");
    try {
      const type = response.headers.get("content-type") ?? "";
      if (!(framing === "sse" ? type.includes("text/event-stream") : /ndjson|json/.test(type))) {
        const text = await response.text();
        throw new RemoteEngineError(
          "remoteBadResponse",
          `${url} answered with ${type || "no content type"} instead of ${framing === "sse" ? "an event stream" : "a JSON-lines stream"}: ${this.redact(text.slice(0, 200))}`,
        );
      }
      if (!response.body) throw new RemoteEngineError("remoteBadResponse", `${url} answered without a body.`);
      const frames = framing === "sse" ? sseFrames() : ndjsonFrames();
      const decoder = new TextDecoder();
      const reader = response.body.getReader();
      try {
        for (;;) {
          watch.armIdle();
          const { done, value } = await reader.read();
          if (done) break;
          for (const event of frames.push(decoder.decode(value, { stream: true }))) {
            if (event.data === "[DONE]") return { truncated: false };
            yield this.parseEvent(url, event.event, event.data);
          }
        }
        const rest = frames.push(decoder.decode());
        const end = frames.end();
        for (const event of [...rest, ...end.events]) {
          if (event.data === "[DONE]") return { truncated: false };
          yield this.parseEvent(url, event.event, event.data);
        }
        return { truncated: end.truncated };
      } finally {
        reader.releaseLock();
      }
    } catch (error) {
      throw watch.translate(error, url, "while streaming the answer");
    } finally {
      watch.dispose();
      // Closing our side tells the server to stop generating (llama-server cancels the task).
      await response.body?.cancel().catch(() => undefined);
    }
  }

  private async json(method: Method, url: string, body: unknown, signal?: AbortSignal): Promise<unknown> {
    const { response, watch } = await this.open(method, url, body, signal, "application/json");
    try {
      watch.armIdle();
      const text = await response.text();
      try {
        return JSON.parse(text);
      } catch {
        throw new RemoteEngineError("remoteBadResponse", `${url} did not answer with JSON: ${this.redact(text.slice(0, 200))}`);
      }
    } catch (error) {
      throw watch.translate(error, url, "while reading the answer");
    } finally {
      watch.dispose();
    }
  }

  /** Sends the request, retrying failures that happened before the server accepted it. */
  private async open(method: Method, url: string, body: unknown, signal: AbortSignal | undefined, accept: string) {
    await this.checkPlainHttp(url);
    const headers = await this.headers(body !== undefined, accept);
    for (let attempt = 0; ; attempt++) {
      if (signal?.aborted) throw cancelledError();
      const watch = new RequestWatch(signal, this.options, (text) => this.redact(text));
      const started = Date.now();
      let response: Response;
      try {
        response = await this.send(method, url, headers, body === undefined ? undefined : JSON.stringify(body), watch.signal);
      } catch (error) {
        watch.dispose();
        const failure = watch.translate(error, url, "before the server answered");
        // Nothing reached the model: a refused or reset connection may be a restart in progress.
        const delay = failure.code === "engineUnavailable" ? retryDelayMs(attempt, { retryable: true }, this.options.retry) : undefined;
        if (delay === undefined) throw failure;
        this.log(method, url, `${failure.message} — retrying in ${delay} ms`);
        await sleep(delay, signal);
        continue;
      }
      if (response.ok) {
        watch.headersArrived();
        this.log(method, url, `${response.status} in ${Date.now() - started} ms`);
        return { response, watch };
      }
      const text = await response.text().catch(() => "");
      watch.dispose();
      const failure = describeHttpFailure(response.status, this.redact(text), {
        url,
        retryAfter: response.headers.get("retry-after"),
        nowMs: Date.now(),
      });
      const delay = retryDelayMs(attempt, failure, this.options.retry);
      this.log(method, url, `${response.status} in ${Date.now() - started} ms${delay !== undefined ? ` — retrying in ${delay} ms` : ""}`);
      if (delay === undefined) throw new RemoteEngineError(failure.code, failure.message, response.status, failure.retryAfterMs);
      await sleep(delay, signal);
    }
  }

  /**
   * fetch with redirects followed by hand: to the same origin only, as fetch would (303, and 301/302
   * after a POST, become a GET without body). Another origin is refused before anything is sent there.
   */
  private async send(method: Method, url: string, headers: Record<string, string>, body: string | undefined, signal: AbortSignal): Promise<Response> {
    let current = { method: method as string, url, body };
    for (let hop = 0; ; hop++) {
      const response = await fetch(current.url, { method: current.method, headers, body: current.body, signal, redirect: "manual" });
      const location = response.headers.get("location");
      if (![301, 302, 303, 307, 308].includes(response.status) || location === null) return response;
      await response.body?.cancel().catch(() => undefined);
      let target: URL;
      try {
        target = new URL(location, current.url);
      } catch {
        throw new RemoteEngineError("remoteBadResponse", `${url} redirected to an invalid address.`, response.status);
      }
      const from = new URL(current.url).origin;
      if (target.origin !== from) {
        throw new RemoteEngineError(
          "remoteRefused",
          `${url} redirected to another server (${target.origin}); the request was not sent there, since it carries your headers, keys and code. ` +
            `If that server is the right one, set deepseekLocal.remote.baseUrl to it.`,
          response.status,
        );
      }
      if (hop >= maxRedirects) throw new RemoteEngineError("remoteBadResponse", `${url} redirected more than ${maxRedirects} times.`, response.status);
      const toGet = response.status === 303 || ((response.status === 301 || response.status === 302) && current.method === "POST");
      current = { method: toGet ? "GET" : current.method, url: target.href, body: toGet ? undefined : current.body };
      this.log(method, url, `${response.status}, following to ${target.pathname}`);
    }
  }

  /** Plain http leaves this machine only to a host the user allowed. */
  private async checkPlainHttp(url: string): Promise<void> {
    const host = plainHttpHost(url);
    if (host === undefined) return;
    if (await this.options.allowPlainHttp?.(host)) return;
    throw new RemoteEngineError(
      "remoteRefused",
      `Not sending to http://${host}: plain http is readable by anyone on the network. Use https://, or allow http for ${host} when DeepSeek Local asks (run "DeepSeek Local: Test Remote Server Connection").`,
    );
  }

  private async headers(hasBody: boolean, accept: string): Promise<Record<string, string>> {
    const headers: Record<string, string> = { accept, ...this.options.headers };
    for (const [name, value] of Object.entries((await this.options.secretHeaders?.()) ?? {})) {
      this.secretValues.add(value);
      headers[name] = value;
    }
    if (hasBody) headers["content-type"] = "application/json";
    const key = (await this.options.apiKey?.())?.trim();
    if (key) {
      this.keys.add(key);
      headers.authorization = `Bearer ${key}`;
    }
    return headers;
  }

  private parseEvent(url: string, name: string, data: string): unknown {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      throw new RemoteEngineError("remoteBadResponse", `${url} sent a malformed event (not JSON): ${this.redact(data.slice(0, 120))}`);
    }
    const error = (parsed as { error?: unknown } | null)?.error;
    if (name === "error" || (error !== undefined && error !== null)) {
      const message =
        typeof error === "string" ? error : ((error as { message?: unknown } | undefined)?.message ?? JSON.stringify(parsed).slice(0, 200));
      throw new RemoteEngineError("remoteServerError", `The server failed mid-answer: ${this.redact(String(message))}`);
    }
    return parsed;
  }

  /** The API key never appears in a message, even when a server echoes it back. */
  private redact(text: string): string {
    let result = text;
    const secrets = [...this.keys, ...this.secretValues, ...Object.values(this.options.headers ?? {})];
    for (const value of secrets) if (value.length >= 8) result = result.split(value).join("***");
    return result.replace(/Bearer\s+[A-Za-z0-9._~+/=-]{8,}/gi, "Bearer ***").replace(/\bsk-[A-Za-z0-9]{8,}/g, "sk-***");
  }

  private log(method: Method, url: string, outcome: string): void {
    this.options.log?.(this.redact(`${method} ${loggableUrl(url)} → ${outcome}`));
  }
}

/**
 * A URL as the log shows it: without user name, password or query string, which may carry a token
 * (`?key=…`); a dropped query shows as `?…`.
 */
export function loggableUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}${parsed.search ? "?…" : ""}`;
  } catch {
    return "(an invalid URL)";
  }
}

/** One request's abort controller: the caller's signal, the headers timeout and the idle timeout. */
class RequestWatch {
  private readonly controller = new AbortController();
  private cause: AbortCause | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly onCallerAbort = () => this.controller.abort();

  constructor(
    private readonly caller: AbortSignal | undefined,
    private readonly options: TransportOptions,
    private readonly redact: (text: string) => string,
  ) {
    caller?.addEventListener("abort", this.onCallerAbort, { once: true });
    this.arm({ kind: "requestTimeout" }, options.requestTimeoutMs);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  headersArrived(): void {
    this.clear();
  }

  armIdle(): void {
    this.arm({ kind: "idleTimeout" }, this.options.idleTimeoutMs);
  }

  dispose(): void {
    this.clear();
    this.caller?.removeEventListener("abort", this.onCallerAbort);
  }

  /** Turns whatever fetch or the body reader threw into one typed error. */
  translate(error: unknown, url: string, when: string): EngineError {
    if (error instanceof EngineError) return error;
    if (this.caller?.aborted) return cancelledError();
    if (this.cause?.kind === "requestTimeout") {
      return new RemoteEngineError(
        "remoteTimeout",
        `${url} did not answer within ${this.options.requestTimeoutMs} ms. Check that the server is up, or raise deepseekLocal.remote.timeoutMs.`,
      );
    }
    if (this.cause?.kind === "idleTimeout") {
      return new RemoteEngineError(
        "remoteTimeout",
        `${url} went silent for ${this.options.idleTimeoutMs} ms ${when}; the answer was abandoned. A slow server may need a larger deepseekLocal.remote.streamIdleTimeoutMs.`,
      );
    }
    const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
    const detail = this.redact(cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error));
    if (when === "before the server answered") {
      return new EngineError("engineUnavailable", `Cannot reach ${url} (${detail}). Is the server running, and is deepseekLocal.remote.baseUrl right?`);
    }
    return new RemoteEngineError("remoteStreamDropped", `The connection to ${url} broke ${when} (${detail}).`);
  }

  private arm(cause: AbortCause, ms: number): void {
    this.clear();
    this.timer = setTimeout(() => {
      this.cause = cause;
      this.controller.abort();
    }, ms);
  }

  private clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(cancelledError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelledError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
