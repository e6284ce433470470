// What the catalog's missing checksums mean for a download (issue 24): an entry with no sha256 is
// installed as verified only when the server publishes one (Hugging Face's X-Linked-Etag) and the
// bytes match it; with none anywhere, nothing is downloaded unless the user accepts an unverified
// file. The request is built the way modelDownload.ts builds it, from the entry's own sha256.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadCatalog, type CatalogEntry } from "../../../src/core/models/catalog.js";
import { downloadModelFile, type DownloadRequest } from "../../../src/download/modelDownloader.js";

const bytes = Buffer.from("GGUF".padEnd(4096, "\u0001"));
const sha = createHash("sha256").update(bytes).digest("hex");
/** The X-Linked-Etag the server sends; none when null. */
let published: string | null;
let server: http.Server;
let base: string;
let dir: string;

const entries = loadCatalog().models.filter((entry) => entry.sha256 === null);

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    res.writeHead(200, { "content-length": bytes.length, ...(published ? { "x-linked-etag": `"${published}"` } : {}) });
    res.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(path.join(os.tmpdir(), "catalog-download-"));
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => void (published = null));

/** The downloader's request for `entry`, served from the local server instead of its https URL. */
function requestFor(entry: CatalogEntry, allowUnverified = false): DownloadRequest {
  return {
    url: `${base}/${entry.fileName}`,
    destination: path.join(dir, `${entry.id}-${Math.random().toString(36).slice(2)}`, entry.fileName),
    sha256: entry.sha256,
    allowUnverified,
    retry: { attempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    sleep: async () => undefined,
    progressIntervalMs: 0,
  };
}

describe.runIf(entries.length > 0)("a catalog entry without a recorded sha256", () => {
  const entry = entries[0]!;

  it("is refused when the server publishes no sha256 either, and nothing is kept", async () => {
    const request = requestFor(entry);
    await expect(downloadModelFile(request)).rejects.toMatchObject({ code: "noChecksum" });
    expect(existsSync(request.destination)).toBe(false);
    expect(existsSync(`${request.destination}.part`)).toBe(false);
  });

  it("is installed as verified against the sha256 the server publishes", async () => {
    published = sha;
    const result = await downloadModelFile(requestFor(entry));
    expect(result).toMatchObject({ verified: true, sha256: sha, sizeBytes: bytes.length });
  });

  it("is not installed when the bytes do not match the published sha256", async () => {
    published = "0".repeat(64);
    const request = requestFor(entry);
    await expect(downloadModelFile(request)).rejects.toMatchObject({ code: "checksumMismatch" });
    expect(existsSync(request.destination)).toBe(false);
  });

  it("is installed unverified, and said to be, only when the user accepts that", async () => {
    const result = await downloadModelFile(requestFor(entry, true));
    expect(result).toMatchObject({ verified: false, sha256: sha });
  });
});
