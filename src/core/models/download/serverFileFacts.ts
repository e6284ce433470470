// What a download server's headers say about the file: its sha256 and size as Hugging Face publishes
// them for LFS files (X-Linked-Etag / X-Linked-Size on the resolve URL's redirect, the values
// huggingface_hub's get_hf_file_metadata reads), the byte range a 206 carries, and a validator to
// resume with. Headers are untrusted input: anything that is not exactly the expected form is
// treated as absent, never guessed at.

export type HeaderBag = Record<string, string | string[] | undefined>;

/** One header's value; a repeated header counts as absent (two answers to one question). */
export function singleHeader(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  if (Array.isArray(value)) return value.length === 1 ? value[0] : undefined;
  return value;
}

/** A byte count: decimal digits only, within the integers a double holds exactly. */
export function parseByteCount(value: string | undefined): number | null {
  if (value === undefined || !/^\d{1,16}$/.test(value.trim())) return null;
  const count = Number(value.trim());
  return Number.isSafeInteger(count) ? count : null;
}

/** The sha256 in an X-Linked-Etag (`"<64 hex>"`, possibly weak-marked); null for anything else, e.g. a git blob sha1. */
export function parseLinkedSha256(value: string | undefined): string | null {
  if (value === undefined) return null;
  const match = /^(?:W\/)?"?([0-9a-fA-F]{64})"?$/.exec(value.trim());
  return match ? match[1]!.toLowerCase() : null;
}

export interface ContentRange {
  start: number;
  end: number;
  total: number;
}

/** `bytes START-END/TOTAL` with START ≤ END < TOTAL; an unknown total (`/*`) cannot be verified, so it is null. */
export function parseContentRange(value: string | undefined): ContentRange | null {
  const match = value ? /^bytes (\d{1,16})-(\d{1,16})\/(\d{1,16})$/.exec(value.trim()) : null;
  if (!match) return null;
  const [start, end, total] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (![start, end, total].every(Number.isSafeInteger) || start > end || end >= total) return null;
  return { start, end, total };
}

/** The total size in a 416's `bytes * /TOTAL`. */
export function parseUnsatisfiedRangeTotal(value: string | undefined): number | null {
  const match = value ? /^bytes \*\/(\d{1,16})$/.exec(value.trim()) : null;
  return match ? parseByteCount(match[1]) : null;
}

/** A header value safe to store and send back: visible ASCII, bounded length. */
function tokenLike(value: string | undefined): string | null {
  if (value === undefined) return null;
  const trimmed = value.trim();
  return trimmed.length > 0 && trimmed.length <= 512 && /^[\x20-\x7e]+$/.test(trimmed) ? trimmed : null;
}

/**
 * The validator to send in If-Range when resuming: a strong ETag, else Last-Modified. A weak ETag
 * (`W/…`) must not be used in If-Range (RFC 9110 §13.1.5), and without any validator a partial
 * file cannot be continued safely: the server could splice another version's bytes onto it.
 */
export function resumeValidator(headers: HeaderBag): string | null {
  const etag = tokenLike(singleHeader(headers, "etag"));
  if (etag && !etag.startsWith("W/") && /^".*"$/.test(etag)) return etag;
  const lastModified = tokenLike(singleHeader(headers, "last-modified"));
  return lastModified && !Number.isNaN(Date.parse(lastModified)) ? lastModified : null;
}

/** The response's own validator of the same kind as `stored` (an ETag or a date), for comparing. */
export function sameKindValidator(headers: HeaderBag, stored: string): string | null {
  return stored.startsWith('"') ? tokenLike(singleHeader(headers, "etag")) : tokenLike(singleHeader(headers, "last-modified"));
}

export interface LinkedFile {
  sha256: string | null;
  sizeBytes: number | null;
}

/** The file facts a Hugging Face resolve response publishes (null fields when it publishes none). */
export function linkedFileFacts(headers: HeaderBag): LinkedFile {
  return {
    sha256: parseLinkedSha256(singleHeader(headers, "x-linked-etag")),
    sizeBytes: parseByteCount(singleHeader(headers, "x-linked-size")),
  };
}
