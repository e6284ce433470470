import { describe, expect, it } from "vitest";
import { findCatalogEntry, loadCatalog, parseCatalog, quantizations } from "../../../src/core/models/catalog";

describe("model catalog", () => {
  const catalog = loadCatalog();

  it("offers Base and Instruct in Q4_K_M and its neighbours", () => {
    for (const variant of ["base", "instruct"] as const) {
      const quants = catalog.models.filter((m) => m.variant === variant).map((m) => m.quantization);
      expect(quants.sort()).toEqual([...quantizations].sort());
    }
  });

  it("gives Instruct the chat role and Base the completion role", () => {
    for (const entry of catalog.models) {
      expect(entry.roles).toContain("completion");
      expect(entry.roles.includes("chat")).toBe(entry.variant === "instruct");
    }
  });

  it("records no sha256 it has not checked: every entry without one says so in `unverified`", () => {
    // No entry records one today (nothing could be fetched when the catalog was written); their
    // download is checked against the server's sha256 instead (catalogDownload.test.ts).
    for (const entry of catalog.models.filter((m) => m.sha256 === null)) {
      expect(entry.unverified.some((note) => note.startsWith("sha256:")), entry.id).toBe(true);
    }
  });

  it("takes a recorded sha256 only as 64 lowercase hex digits", () => {
    const entry = catalog.models[0]!;
    const withSha = (sha256: unknown) => parseCatalog({ models: [{ ...entry, sha256 }], architecture: catalog.architecture });
    const sha = "0123456789abcdef".repeat(4);
    expect(withSha(sha).models[0]!.sha256).toBe(sha);
    for (const bad of [sha.slice(1), `${sha}0`, sha.toUpperCase(), `${sha.slice(1)}g`, ""]) expect(() => withSha(bad), bad).toThrow(/sha256/);
  });

  it("sizes grow with the quantization", () => {
    for (const variant of ["base", "instruct"] as const) {
      const sizes = quantizations.map((q) => catalog.models.find((m) => m.variant === variant && m.quantization === q)!.sizeBytes);
      expect([...sizes].sort((a, b) => a - b)).toEqual(sizes);
    }
  });

  it("finds entries by id", () => {
    expect(findCatalogEntry(catalog, "deepseek-coder-v2-lite-instruct-q4_k_m")?.quantization).toBe("Q4_K_M");
    expect(findCatalogEntry(catalog, "nope")).toBeUndefined();
  });

  it("rejects bad data: duplicate ids, a URL that is not the file, an invented checksum format", () => {
    const entry = catalog.models[0]!;
    const withModels = (models: unknown[]) => ({ models, architecture: catalog.architecture });
    expect(() => parseCatalog(withModels([entry, entry]))).toThrow(/duplicate catalog id/);
    expect(() => parseCatalog(withModels([{ ...entry, url: "https://example.com/other.gguf" }]))).toThrow(/does not end with its fileName/);
    expect(() => parseCatalog(withModels([{ ...entry, sha256: "abc" }]))).toThrow(/sha256/);
    expect(() => parseCatalog(withModels([{ ...entry, url: entry.url.replace("https:", "http:") }]))).toThrow(/url/);
  });
});
