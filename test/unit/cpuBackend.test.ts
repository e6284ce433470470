import { describe, expect, it } from "vitest";
import { loadedCpuVariant } from "../../src/engine/cpuBackend";

// Lines as /proc/<pid>/maps writes them: address range, permissions, offset, device, inode, path.
const line = (file: string) => `7f2c1a000000-7f2c1a200000 r-xp 00000000 103:02 131090                     ${file}`;

describe("loadedCpuVariant", () => {
  it("finds the CPU variant ggml loaded, with its path", () => {
    const maps = [
      line("/usr/lib/x86_64-linux-gnu/libc.so.6"),
      line("/ext/node_modules/@node-llama-cpp/linux-x64/bins/linux-x64/libggml-base.so"),
      line("/ext/node_modules/node-llama-cpp/llama/localBuilds/linux-x64/Release/libggml-cpu-zen4.so"),
      "7ffd1b5e0000-7ffd1b601000 rw-p 00000000 00:00 0                          [stack]",
    ].join("\n");
    expect(loadedCpuVariant(maps)).toEqual({ variant: "zen4", path: "/ext/node_modules/node-llama-cpp/llama/localBuilds/linux-x64/Release/libggml-cpu-zen4.so" });
  });

  it("keeps a path with spaces whole", () => {
    expect(loadedCpuVariant(line("/home/a user/ext/bins/libggml-cpu-haswell.so"))).toEqual({ variant: "haswell", path: "/home/a user/ext/bins/libggml-cpu-haswell.so" });
  });

  it("is null when no CPU variant is mapped (a static build, another OS)", () => {
    expect(loadedCpuVariant([line("/usr/lib/libggml-base.so"), line("/usr/lib/libggml-cpu.so.bak")].join("\n"))).toBeNull();
    expect(loadedCpuVariant("")).toBeNull();
  });
});
