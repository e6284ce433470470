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

  it("never carries a checksum without saying it was verified, and lists what is unverified", () => {
    for (const entry of catalog.models) {
      if (entry.sha256 === null) expect(entry.unverified.some((note) => note.startsWith("sha256"))).toBe(true);
      else expect(entry.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
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
