import { describe, expect, it } from "vitest";
import { CPU_BACKEND_CMAKE_FLAGS, cpuBackendCmakeFlags } from "../../native/ggml-cpu/build";
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

describe("cpuBackendCmakeFlags", () => {
  const gcc = "c++ (Debian 12.2.0-14+deb12u1) 12.2.0";
  const clang = "Debian clang version 14.0.6";
  const strategy = (flags: string[]) => flags.filter((f) => f.includes("-mmemset-strategy="));

  it("has GCC on x86-64 clear small blocks with vector stores, in both languages", () => {
    const flags = cpuBackendCmakeFlags(gcc, "x64");
    expect(flags.slice(0, CPU_BACKEND_CMAKE_FLAGS.length)).toEqual(CPU_BACKEND_CMAKE_FLAGS);
    expect(strategy(flags).map((f) => f.split("=")[0])).toEqual(["-DCMAKE_C_FLAGS", "-DCMAKE_CXX_FLAGS"]);
    // GCC requires the last range to be unbounded (-1); sizes up to 2 KiB get vector stores.
    expect(strategy(flags)[0]).toMatch(/=-mmemset-strategy=vector_loop:2048:noalign,libcall:-1:noalign$/);
  });

  it("leaves clang and other architectures with node-llama-cpp's own options", () => {
    expect(cpuBackendCmakeFlags(clang, "x64")).toEqual(CPU_BACKEND_CMAKE_FLAGS);
    expect(cpuBackendCmakeFlags(gcc, "arm64")).toEqual(CPU_BACKEND_CMAKE_FLAGS);
  });
});
