// Which node-llama-cpp binary packages each VSIX target carries (issue 26): GPU backends by
// default, all at node-llama-cpp's exact version, recorded in the staged manifest.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseGpuFlavours, repoRoot, stagedManifest, targetBackends, vsixTargets } from "../../../native/package-vsix";

const llamaVersion = (JSON.parse(readFileSync(path.join(repoRoot, "node_modules/node-llama-cpp/package.json"), "utf8")) as { version: string }).version;

describe("VSIX backends per target", () => {
  it.each([
    ["linux-x64", ["linux-x64", "linux-x64-vulkan"], ["vulkan"]],
    ["win32-x64", ["win-x64", "win-x64-vulkan"], ["vulkan"]],
    ["darwin-arm64", ["mac-arm64-metal"], ["metal"]],
    ["darwin-x64", ["mac-x64"], []],
    ["linux-arm64", ["linux-arm64"], []],
    ["linux-armhf", ["linux-armv7l"], []],
    ["win32-arm64", ["win-arm64"], []],
  ])("%s carries %j by default (GPU: %j)", (target, packages, gpu) => {
    expect(targetBackends(target)).toEqual({ packages, gpuBackends: gpu });
  });

  it("every target is in the table, and every x64 Linux/Windows target carries a GPU backend without a flag", () => {
    expect(vsixTargets.sort()).toEqual(["darwin-arm64", "darwin-x64", "linux-arm64", "linux-armhf", "linux-x64", "win32-arm64", "win32-x64"]);
    for (const target of ["linux-x64", "win32-x64", "darwin-arm64"]) expect(targetBackends(target).gpuBackends.length).toBeGreaterThan(0);
  });

  it("--gpu replaces the defaults: cuda brings its -ext package, none leaves the base only, a flavour without binaries is skipped", () => {
    expect(targetBackends("linux-x64", ["cuda"])).toEqual({ packages: ["linux-x64", "linux-x64-cuda", "linux-x64-cuda-ext"], gpuBackends: ["cuda"] });
    expect(targetBackends("linux-x64", ["cuda", "vulkan"]).packages).toEqual(["linux-x64", "linux-x64-cuda", "linux-x64-cuda-ext", "linux-x64-vulkan"]);
    expect(targetBackends("linux-x64", [])).toEqual({ packages: ["linux-x64"], gpuBackends: [] });
    expect(targetBackends("darwin-arm64", [])).toEqual({ packages: ["mac-arm64-metal"], gpuBackends: ["metal"] });
    expect(targetBackends("linux-arm64", ["vulkan"])).toEqual({ packages: ["linux-arm64"], gpuBackends: [] });
    expect(() => targetBackends("solaris-sparc")).toThrow(/unknown target/);
  });

  it("the staged manifest pins every binary package to node-llama-cpp's exact version and drops build-only fields", () => {
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as Record<string, unknown>;
    const staged = stagedManifest(manifest, llamaVersion, targetBackends("linux-x64"));
    expect(staged.dependencies).toEqual({ "node-llama-cpp": llamaVersion });
    expect(staged.nativeBackends).toEqual({
      nodeLlamaCpp: llamaVersion,
      packages: { "@node-llama-cpp/linux-x64": llamaVersion, "@node-llama-cpp/linux-x64-vulkan": llamaVersion },
      gpu: ["vulkan"],
    });
    expect(staged).not.toHaveProperty("devDependencies");
    expect(staged).not.toHaveProperty("scripts");
    expect(manifest).toHaveProperty("scripts"); // the repository's manifest is left as it was
  });

  it("the pinned binary packages installed here are node-llama-cpp's version (the VSIX copies these)", () => {
    for (const name of targetBackends("linux-x64").packages) {
      const installed = JSON.parse(readFileSync(path.join(repoRoot, "node_modules/@node-llama-cpp", name, "package.json"), "utf8")) as { version: string };
      expect(installed.version, name).toBe(llamaVersion);
    }
  });
});

describe("--gpu", () => {
  it("takes a comma list of vulkan and cuda, or none; refuses anything else", () => {
    expect(parseGpuFlavours("cuda,vulkan")).toEqual(["cuda", "vulkan"]);
    expect(parseGpuFlavours("none")).toEqual([]);
    expect(() => parseGpuFlavours("rocm")).toThrow(/vulkan, cuda or none/);
  });
});
