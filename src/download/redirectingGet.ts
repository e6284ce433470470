// One GET of a download URL, following redirects ourselves so that each hop passes the redirect
// policy (no https → http), caller headers do not travel to another origin, and the file facts the
// original server publishes on its redirect (Hugging Face's X-Linked-Etag / X-Linked-Size) are kept.
import { Agent, request, type Dispatcher } from "undici";
import { DownloadError } from "../core/models/download/downloadFailure.js";
import { decideRedirect, redirectStatuses } from "../core/models/download/redirectPolicy.js";
import { linkedFileFacts, singleHeader, type HeaderBag, type LinkedFile } from "../core/models/download/serverFileFacts.js";

export interface GetOptions {
  headers: Record<string, string>;
  signal?: AbortSignal;
  dispatcher?: Dispatcher;
  headersTimeoutMs: number;
  bodyTimeoutMs: number;
}

export interface GetResponse {
  statusCode: number;
  headers: HeaderBag;
  body: Dispatcher.ResponseData["body"];
  /** sha256 and size published by the original URL's origin along the way (null when it published none). */
  linked: LinkedFile;
}

/** Headers that describe the range wanted, not the caller: the only ones sent on to another origin. */
const rangeHeaders = new Set(["range", "if-range"]);

let plainAgent: Dispatcher | undefined;

export async function getFollowingRedirects(url: string, options: GetOptions): Promise<GetResponse> {
  const original = new URL(url);
  let current = original;
  let headers = { ...options.headers };
  const linked: LinkedFile = { sha256: null, sizeBytes: null };
  for (let redirects = 0; ; redirects++) {
    const response = await request(current, {
      method: "GET",
      headers,
      signal: options.signal,
      dispatcher: options.dispatcher ?? (plainAgent ??= new Agent()),
      headersTimeout: options.headersTimeoutMs,
      bodyTimeout: options.bodyTimeoutMs,
      // A dispatcher composed with undici's redirect interceptor must not follow on its own.
      maxRedirections: 0,
    } as Parameters<typeof request>[1]);
    const responseHeaders = response.headers as HeaderBag;
    // Only the origin the user chose speaks for the file; a CDN further along does not.
    if (current.origin === original.origin) {
      const facts = linkedFileFacts(responseHeaders);
      linked.sha256 ??= facts.sha256;
      linked.sizeBytes ??= facts.sizeBytes;
    }
    if (!redirectStatuses.has(response.statusCode)) return { statusCode: response.statusCode, headers: responseHeaders, body: response.body, linked };
    await response.body.dump().catch(() => undefined);
    const decision = decideRedirect(original, current, singleHeader(responseHeaders, "location"), redirects);
    if (!decision.follow) throw new DownloadError(decision.code, decision.message, url);
    if (!decision.sameOrigin) headers = Object.fromEntries(Object.entries(headers).filter(([name]) => rangeHeaders.has(name.toLowerCase())));
    current = decision.url;
  }
}
