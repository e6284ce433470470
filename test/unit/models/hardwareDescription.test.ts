import { describe, expect, it } from "vitest";
import { describeHardware, parseNvidiaSmi } from "../../../src/core/models/hardwareDescription";

const GiB = 1024 ** 3;

describe("hardware description", () => {
  it("reads the first GPU from nvidia-smi's CSV", () => {
    expect(parseNvidiaSmi("NVIDIA GeForce RTX 3070, 8192\nNVIDIA GeForce RTX 3060, 12288\n")).toEqual({ name: "NVIDIA GeForce RTX 3070", vramBytes: 8 * GiB });
    expect(parseNvidiaSmi("NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.")).toBeNull();
  });

  it("Apple silicon is Metal with unified memory; NVIDIA is CUDA; otherwise CPU", () => {
    expect(describeHardware({ platform: "darwin", arch: "arm64", ramBytes: 16 * GiB, nvidiaSmi: null })).toMatchObject({ gpu: "metal", unifiedMemory: true, ramBytes: 16 * GiB });
    expect(describeHardware({ platform: "linux", arch: "x64", ramBytes: 32 * GiB, nvidiaSmi: "Tesla T4, 15360" })).toMatchObject({ gpu: "cuda", gpuName: "Tesla T4", vramBytes: 15 * GiB });
    expect(describeHardware({ platform: "win32", arch: "x64", ramBytes: 8 * GiB, nvidiaSmi: null })).toEqual({ gpu: false, vramBytes: 0, unifiedMemory: false, ramBytes: 8 * GiB });
  });
});
