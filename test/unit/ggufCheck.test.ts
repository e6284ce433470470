import { describe, expect, it } from "vitest";
import { expectedMinimumFileSize, findModelFileProblem, tensorByteSize } from "../../src/core/models/ggufCheck.js";

const GiB = 1024 ** 3;

describe("tensorByteSize", () => {
  it("computes plain and block-quantized sizes", () => {
    expect(tensorByteSize({ dimensions: [128, 4], ggmlType: 0 })).toBe(128 * 4 * 4); // F32
    expect(tensorByteSize({ dimensions: [128, 4], ggmlType: 1 })).toBe(128 * 4 * 2); // F16
    expect(tensorByteSize({ dimensions: [64, 2], ggmlType: 2 })).toBe(4 * 18); // Q4_0: 4 blocks
    expect(tensorByteSize({ dimensions: [64, 2], ggmlType: 8 })).toBe(4 * 34); // Q8_0
    expect(tensorByteSize({ dimensions: [256, 3n], ggmlType: 12 })).toBe(3 * 144); // Q4_K
  });

  it("returns null for an unknown type", () => {
    expect(tensorByteSize({ dimensions: [4], ggmlType: 999 })).toBeNull();
  });
});

describe("findModelFileProblem", () => {
  const tensors = [
    { name: "a", dimensions: [128, 128], ggmlType: 1, fileOffset: 1024 },
    { name: "b", dimensions: [128], ggmlType: 0, fileOffset: 1024 + 128 * 128 * 2 },
  ];
  const complete = expectedMinimumFileSize(tensors);
  const facts = { path: "/m/model.gguf", fileSize: complete, architecture: "deepseek2", tensors, availableMemoryBytes: 16 * GiB };

  it("accepts a complete deepseek2 file", () => {
    expect(complete).toBe(1024 + 128 * 128 * 2 + 128 * 4);
    expect(findModelFileProblem(facts)).toBeNull();
  });

  it("names the architecture of a foreign model", () => {
    const problem = findModelFileProblem({ ...facts, architecture: "llama" });
    expect(problem?.code).toBe("unsupportedArchitecture");
    expect(problem?.message).toContain('"llama"');
    expect(problem?.message).toContain("/m/model.gguf");
  });

  it("detects a file cut inside its tensor data", () => {
    const problem = findModelFileProblem({ ...facts, fileSize: complete - 1 });
    expect(problem?.code).toBe("truncatedModel");
    expect(problem?.message).toContain(String(complete));
  });

  it("treats a header without tensors as incomplete", () => {
    expect(findModelFileProblem({ ...facts, tensors: [] })?.code).toBe("truncatedModel");
  });

  it("refuses weights larger than the machine's memory", () => {
    const problem = findModelFileProblem({ ...facts, availableMemoryBytes: complete - 1 });
    expect(problem?.code).toBe("modelTooLarge");
    expect(problem?.message).toMatch(/GiB/);
  });
});
