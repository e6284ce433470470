// A GPU that is present but unused is said once, with the reason and what to do (issue 26).
import { describe, expect, it } from "vitest";
import { gpuUnavailableMessage, gpuVendorsFromPci, type GpuAvailabilityFacts } from "../../../src/core/models/gpuFallback";

const linuxAmd: GpuAvailabilityFacts = {
  platform: "linux",
  vendors: ["amd"],
  backendInUse: false,
  disabledByUser: false,
  carried: ["vulkan"],
  published: ["cuda", "vulkan"],
  librariesFound: ["vulkan"],
};

describe("GPU present but unused", () => {
  it("reads display controllers and their vendors from the PCI bus", () => {
    const devices = [
      { class: "0x030000\n", vendor: "0x10de\n" }, // VGA, NVIDIA
      { class: "0x038000", vendor: "0x1002" }, // display controller, AMD
      { class: "0x030200", vendor: "0x8086" }, // 3D controller, Intel
      { class: "0x060400", vendor: "0x8086" }, // a PCI bridge: not a GPU
      { class: "0x030000", vendor: "0x1af4" }, // virtio GPU
    ];
    expect(gpuVendorsFromPci(devices)).toEqual(["nvidia", "amd", "intel", "other"]);
    expect(gpuVendorsFromPci([])).toEqual([]);
  });

  it("says nothing when a backend loaded, the user chose the CPU, or there is no GPU", () => {
    expect(gpuUnavailableMessage({ ...linuxAmd, backendInUse: "vulkan" })).toBeNull();
    expect(gpuUnavailableMessage({ ...linuxAmd, disabledByUser: true })).toBeNull();
    expect(gpuUnavailableMessage({ ...linuxAmd, vendors: [] })).toBeNull();
    // A platform node-llama-cpp has no GPU binary for: nothing the user can do.
    expect(gpuUnavailableMessage({ ...linuxAmd, carried: [], published: [], librariesFound: [] })).toBeNull();
  });

  it("missing Vulkan loader: names the GPU, the missing libraries and the packages to install", () => {
    const message = gpuUnavailableMessage({ ...linuxAmd, librariesFound: [] });
    expect(message).toMatch(/an AMD GPU is present, but the system libraries for Vulkan are missing/);
    expect(message).toMatch(/sudo apt install libvulkan1 mesa-vulkan-drivers/);
    expect(message).toMatch(/Restart Engine/);
    expect(gpuUnavailableMessage({ ...linuxAmd, platform: "win32", vendors: null, librariesFound: [] })).toBeNull(); // Windows: cannot tell a GPU is there
  });

  it("no GPU backend carried: says which build carries one", () => {
    const message = gpuUnavailableMessage({ ...linuxAmd, vendors: ["nvidia"], carried: [] });
    expect(message).toMatch(/an NVIDIA GPU is present, but this installation carries no GPU backend/);
    expect(message).toMatch(/it carries a GPU backend: Vulkan/);
  });

  it("binaries and libraries present, yet the CPU binary loaded: the backend failed to load", () => {
    const message = gpuUnavailableMessage({ ...linuxAmd, vendors: ["intel"] });
    expect(message).toMatch(/the Vulkan backend did not load/);
    expect(message).toMatch(/Update the GPU driver/);
    expect(message).toMatch(/gpuLayers to 0/);
    // CUDA carried without its runtime (a `--gpu cuda` VSIX): the runtime is named.
    expect(gpuUnavailableMessage({ ...linuxAmd, vendors: ["nvidia"], carried: ["cuda"], librariesFound: [] })).toMatch(/CUDA runtime/);
  });
});
