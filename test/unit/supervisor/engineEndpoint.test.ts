// Where a shared engine listens: private, and keyed by build and load settings.
import { chmodSync, mkdtempSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { engineBuildId, engineDirEnv, engineEndpoint, loadSettingsHash, privateEngineDirectory } from "../../../src/supervisor/engineEndpoint.js";

let scratch: string;
let enginePath: string;
beforeEach(() => {
  scratch = mkdtempSync(path.join(os.tmpdir(), "engine-endpoint-"));
  enginePath = path.join(scratch, "engine.mjs");
  writeFileSync(enginePath, "// engine build A");
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

const params = { modelPath: "/models/a.gguf", contextSize: 8192 };
const env = () => ({ [engineDirEnv]: path.join(scratch, "sockets") });

describe("engine endpoint", () => {
  it("creates the socket directory for this user only, inside the given directory", () => {
    const directory = privateEngineDirectory(env());
    expect(directory).toBe(path.join(scratch, "sockets"));
    if (process.platform !== "win32") expect(statSync(directory).mode & 0o777).toBe(0o700);
    const endpoint = engineEndpoint(enginePath, params, env());
    expect(path.dirname(endpoint.address)).toBe(directory);
    expect(endpoint.address.length).toBeLessThan(104);
  });

  it.runIf(process.platform !== "win32")("refuses a directory open to others, or a link", () => {
    const open = path.join(scratch, "open");
    privateEngineDirectory({ [engineDirEnv]: open });
    chmodSync(open, 0o755);
    expect(() => privateEngineDirectory({ [engineDirEnv]: open })).toThrow(/open to other users/);
    const link = path.join(scratch, "link");
    symlinkSync(path.join(scratch, "sockets-target"), link);
    privateEngineDirectory({ [engineDirEnv]: path.join(scratch, "sockets-target") });
    expect(() => privateEngineDirectory({ [engineDirEnv]: link })).toThrow(/link/);
  });

  it("gives other load settings another address, the same settings in any order the same one", () => {
    const a = engineEndpoint(enginePath, params, env()).address;
    expect(engineEndpoint(enginePath, { contextSize: 8192, modelPath: "/models/a.gguf" }, env()).address).toBe(a);
    // Defaults are applied before hashing: spelling one out changes nothing.
    expect(engineEndpoint(enginePath, { ...params, gpuLayers: "auto" }, env()).address).toBe(a);
    expect(engineEndpoint(enginePath, { ...params, contextSize: 4096 }, env()).address).not.toBe(a);
    expect(engineEndpoint(enginePath, { ...params, clientSlots: 3 }, env()).address).not.toBe(a);
    expect(loadSettingsHash({ ...params, modelPath: "/models/b.gguf" })).not.toBe(loadSettingsHash(params));
  });

  it("gives another engine build another address and build id", () => {
    const before = engineEndpoint(enginePath, params, env());
    writeFileSync(enginePath, "// engine build B, a different length");
    const after = engineEndpoint(enginePath, params, env());
    expect(after.build).not.toBe(before.build);
    expect(after.address).not.toBe(before.address);
    expect(engineBuildId(enginePath)).toBe(after.build);
  });
});
