// Builds the peer `llama-server` from the exact llama.cpp release node-llama-cpp binds, once per
// bundle commit (native/llamaCppBuild.ts has the cache, lock and patches).
//
//   npm run native:llama-server            → prints the binary path (builds if not cached)
//   import { ensureLlamaServer } from ...  → same, for tests and the bench
//
// Cache: ${DEEPSEEK_LOCAL_CACHE:-~/.cache/deepseek-local}/llama-server/<commit>/llama-server

import { chmod, copyFile } from "node:fs/promises";
import path from "node:path";
import { bundleCommit, ensureBuild, findBuiltFile, runAsScript, type BuildOptions, type BundleBuildSpec } from "../llamaCppBuild";

const LLAMA_SERVER_BINARY_NAME = process.platform === "win32" ? "llama-server.exe" : "llama-server";

/** CMake flags of the peer build. Static, native CPU, no network, no UI, server target only. */
const LLAMA_SERVER_CMAKE_FLAGS: readonly string[] = [
  "-DCMAKE_BUILD_TYPE=Release",
  "-DGGML_NATIVE=ON",
  "-DBUILD_SHARED_LIBS=OFF",
  "-DLLAMA_CURL=OFF",
  "-DLLAMA_OPENSSL=OFF",
  "-DLLAMA_BUILD_TESTS=OFF",
  "-DLLAMA_BUILD_EXAMPLES=OFF",
  // Newer llama.cpp gates the server behind these; set them explicitly so the target exists
  // whether or not the tree is built standalone.
  "-DLLAMA_BUILD_COMMON=ON",
  "-DLLAMA_BUILD_TOOLS=ON",
  "-DLLAMA_BUILD_SERVER=ON",
  // The web UI would be fetched from a Hugging Face bucket or built with npm: neither is wanted
  // (offline machines, and the bench never opens it). An empty asset table is embedded instead.
  "-DLLAMA_BUILD_UI=OFF",
  "-DLLAMA_USE_PREBUILT_UI=OFF",
];

function llamaServerSpec(): BundleBuildSpec {
  return {
    kind: "llama-server",
    key: bundleCommit(),
    cmakeFlags: LLAMA_SERVER_CMAKE_FLAGS,
    targets: ["llama-server"],
    marker: LLAMA_SERVER_BINARY_NAME,
    async collect(buildDir, out) {
      const built = await findBuiltFile(buildDir, LLAMA_SERVER_BINARY_NAME);
      if (!built) throw new Error(`the build finished but ${LLAMA_SERVER_BINARY_NAME} is not in ${buildDir}`);
      const bin = path.join(out, LLAMA_SERVER_BINARY_NAME);
      await copyFile(built, bin);
      await chmod(bin, 0o755);
    },
  };
}

/** Returns the path of the peer llama-server binary, building it first if it is not cached. */
export async function ensureLlamaServer(options: BuildOptions = {}): Promise<string> {
  return path.join(await ensureBuild(llamaServerSpec(), options), LLAMA_SERVER_BINARY_NAME);
}

runAsScript(import.meta.url, ensureLlamaServer, "llama-server");
