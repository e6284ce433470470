// The small record beside a .part file that says what the part holds: which URL, which server
// version (the validator sent back in If-Range), its full size and the sha256 the server published.
// Read back from disk, so it is checked field by field; anything odd means "start again".
import { readFile, writeFile } from "node:fs/promises";

export interface PartState {
  url: string;
  /**
   * Strong ETag or Last-Modified of the response the part came from. null: the part can be continued
   * only if the origin still publishes the same `sha256`.
   */
  validator: string | null;
  /** The file's full size as the server stated it; null when it did not. */
  totalBytes: number | null;
  /** The sha256 the server published for the file (X-Linked-Etag); null when it published none. */
  sha256: string | null;
}

function isState(value: unknown): value is PartState {
  if (typeof value !== "object" || value === null) return false;
  const { url, validator, totalBytes, sha256 } = value as Record<string, unknown>;
  return (
    typeof url === "string" &&
    (validator === null || (typeof validator === "string" && validator.length <= 512)) &&
    (totalBytes === null || (typeof totalBytes === "number" && Number.isSafeInteger(totalBytes) && totalBytes >= 0)) &&
    (sha256 === null || (typeof sha256 === "string" && /^[0-9a-f]{64}$/.test(sha256)))
  );
}

export async function readPartState(file: string): Promise<PartState | null> {
  try {
    const value: unknown = JSON.parse(await readFile(file, "utf8"));
    return isState(value) ? value : null;
  } catch {
    return null;
  }
}

export async function writePartState(file: string, state: PartState): Promise<void> {
  await writeFile(file, JSON.stringify(state), { mode: 0o600 });
}
