// Faults of the prefix disk cache against the user's data (issue 19, items 1, 3, 5 and the cache
// part of 6): a folder shared with other files, a folder that is a file or cannot be written, two
// windows (two engine processes) sharing one cache folder, and who may read the files.
// The cache runs on the real file system; only errors that root cannot provoke (EACCES) are
// injected through its file-system seam.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs/promises";
import { mkdir, mkdtemp, readFile, readdir, rm, stat, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { hashTokens, type PrefixCacheKeyFields } from "../../src/core/cache/prefixCacheEntry.js";
import { createLocalEngine, type LocalEngine } from "../../src/backends/local/localEngine.js";
import { PrefixDiskCache, type CacheFileSystem } from "../../src/core/cache/prefixDiskCache.js";
import type { GenerationRequest } from "../../src/core/engine/engine.js";
import { ensureSyntheticModel } from "../fixtures/synthetic-model/index.js";
import { registerCommands } from "../../src/vscode/commands.js";
import type { ExtensionContextHolder } from "../../src/vscode/extensionContext.js";

// The Clear Cache command is the editor edge: it runs here against a recording `vscode`.
const editor = vi.hoisted(() => ({
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  warnings: [] as { message: string; options: unknown; items: string[] }[],
  infos: [] as string[],
  answer: undefined as string | undefined,
}));
vi.mock("vscode", async () => ({
  // What the command table's other modules read at load time; the dialogs and commands are recorded here.
  ...(await import("../fixtures/fakeVscode.js")).vscode,
  commands: {
    registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => {
      editor.commands.set(id, handler);
      return { dispose: () => editor.commands.delete(id) };
    },
  },
  window: {
    showWarningMessage: async (message: string, options: unknown, ...items: string[]) => {
      editor.warnings.push({ message, options, items });
      return editor.answer;
    },
    showInformationMessage: async (message: string) => {
      editor.infos.push(message);
      return undefined;
    },
  },
}));

let scratch: string;
const oldUmask = process.umask(0o022);

beforeAll(async () => {
  scratch = await mkdtemp(path.join(os.tmpdir(), "deepseek-cache-faults-"));
});

afterAll(async () => {
  process.umask(oldUmask);
  await rm(scratch, { recursive: true, force: true });
});

const fieldsFor = (seed: number): PrefixCacheKeyFields => ({
  modelSha256: "e".repeat(64),
  engineBuild: "test",
  kvLayout: { contextSize: 512, flashAttention: false, kvType: "f16" },
  tokensSha256: hashTokens([seed, seed + 1, seed + 2]),
  tokenCount: 3,
});

const payload = (seed: number) => Buffer.alloc(1000, seed);
const writePayload = (seed: number) => (tempPath: string) => writeFile(tempPath, payload(seed));

/** Files a user keeps in a folder, with names the old cache claimed as its own. */
const userFiles: Record<string, string> = {
  "package.json": '{ "name": "my-project" }\n',
  "tsconfig.json": '{ "compilerOptions": {} }\n',
  "tmp-notes.txt": "notes\n",
  "tmp-build.kv": "a build artefact\n",
  "data.kv": "key=value\n",
  "orphan.json": "{}\n",
  [`${"a".repeat(40)}.json`]: '{ "looks": "like a cache header" }\n',
  [`${"a".repeat(40)}.kv`]: "looks like a cache payload\n",
  "README.md": "# readme\n",
};

async function plantUserFiles(dir: string, files = userFiles): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
}

async function expectUserFilesIntact(dir: string, files = userFiles): Promise<void> {
  for (const [name, text] of Object.entries(files)) {
    expect(await readFile(path.join(dir, name), "utf8").catch(() => "<deleted>"), name).toBe(text);
  }
}

const isDescendant = (child: string, parent: string) => path.relative(parent, child) !== "" && !path.relative(parent, child).startsWith("..");

/** A pid that is certainly not running: a child that has already exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", ""]);
  return child.pid!;
}

describe("item 1: the cache touches only its own marked subfolder", () => {
  it("keeps every user file through save, eviction over the cap, restore and clear", async () => {
    const dir = path.join(scratch, "project");
    await plantUserFiles(dir);
    const warnings: string[] = [];
    // Room for about two entries of ~1.4 KB: the third save evicts.
    const cache = new PrefixDiskCache(dir, 3000, (message) => warnings.push(message));
    for (const seed of [1, 2, 3, 4]) expect(await cache.save(fieldsFor(seed), writePayload(seed))).toBe(true);
    const stats = await cache.stats();
    expect(stats.evictions).toBeGreaterThanOrEqual(2);
    expect(stats.entries).toBe(2);
    expect(await cache.restore(fieldsFor(4), async () => undefined)).toBe(true);

    // A second window starting on the same folder sweeps it.
    const second = new PrefixDiskCache(dir, 3000, (message) => warnings.push(message));
    expect(await second.restore(fieldsFor(3), async () => undefined)).toBe(true);
    await second.clear();
    expect((await second.stats()).entries).toBe(0);

    await expectUserFilesIntact(dir);
    expect(warnings).toEqual([]);
    // The cache's own files live in a folder of their own, below the configured one.
    expect(isDescendant(cache.directory, dir)).toBe(true);
    expect(stats.directory).toBe(cache.directory);
  });

  it("refuses a same-named subfolder it did not create, and leaves its files alone", async () => {
    const dir = path.join(scratch, "squatted");
    const probe = new PrefixDiskCache(dir, 1024 ** 2, () => undefined);
    const own = probe.directory;
    expect(own).not.toBe(dir);
    await plantUserFiles(own);
    const warnings: string[] = [];
    const cache = new PrefixDiskCache(dir, 1024, (message) => warnings.push(message));
    expect(await cache.save(fieldsFor(1), writePayload(1))).toBe(false);
    expect(await cache.restore(fieldsFor(1), async () => undefined)).toBe(false);
    await cache.clear();
    expect(await cache.save(fieldsFor(2), writePayload(2))).toBe(false);
    await expectUserFilesIntact(own);
    expect((await readdir(own)).sort()).toEqual(Object.keys(userFiles).sort());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(own);
    expect((await cache.stats()).enabled).toBe(false);
  });

  it("clears only files named like its entries inside its folder", async () => {
    const dir = path.join(scratch, "clear-own");
    const cache = new PrefixDiskCache(dir, 1024 ** 2, () => undefined);
    expect(await cache.save(fieldsFor(1), writePayload(1))).toBe(true);
    const dropped = { "keep.txt": "mine\n", "notes.json": "{}\n", "backup.kv": "x\n" };
    await plantUserFiles(cache.directory, dropped);
    await cache.clear();
    await expectUserFilesIntact(cache.directory, dropped);
    expect((await cache.stats()).entries).toBe(0);
    expect(await cache.restore(fieldsFor(1), async () => undefined)).toBe(false);
  });
});

describe("item 3: a bad cache folder turns the cache off with one warning", () => {
  const sequenceOfCalls = async (cache: PrefixDiskCache) => {
    for (const seed of [1, 2, 3]) {
      expect(await cache.save(fieldsFor(seed), writePayload(seed))).toBe(false);
      expect(await cache.restore(fieldsFor(seed), async () => undefined)).toBe(false);
    }
    const stats = await cache.stats();
    expect(stats.enabled).toBe(false);
    // The reason names what is wrong, in words a user can act on.
    expect(stats.disabledReason).toMatch(/is not a folder|no permission|read-only|disk is full|disappeared/);
    return stats;
  };

  it("a path that is a file (ENOTDIR)", async () => {
    const file = path.join(scratch, "a-file");
    await writeFile(file, "not a folder\n");
    for (const directory of [file, path.join(file, "below")]) {
      const warnings: string[] = [];
      const cache = new PrefixDiskCache(directory, 1024 ** 2, (message) => warnings.push(message));
      await sequenceOfCalls(cache);
      await expect(cache.clear()).resolves.not.toThrow();
      expect(warnings, directory).toHaveLength(1);
      expect(warnings[0]).toMatch(/disk cache is off/i);
      expect(await readFile(file, "utf8")).toBe("not a folder\n");
    }
  });

  it("a folder that cannot be written (EACCES)", async () => {
    const dir = path.join(scratch, "readonly");
    await mkdir(dir);
    const denied = (syscall: string) => Object.assign(new Error(`EACCES: permission denied, ${syscall}`), { code: "EACCES" });
    const readOnly: CacheFileSystem = {
      ...fs,
      mkdir: (async (target: string, options?: Parameters<typeof fs.mkdir>[1]) => {
        if (path.resolve(target) === dir) return fs.mkdir(target, options);
        throw denied("mkdir");
      }) as typeof fs.mkdir,
      writeFile: (async () => {
        throw denied("open");
      }) as unknown as typeof fs.writeFile,
      rename: (async () => {
        throw denied("rename");
      }) as unknown as typeof fs.rename,
    };
    const warnings: string[] = [];
    const cache = new PrefixDiskCache(dir, 1024 ** 2, (message) => warnings.push(message), readOnly);
    // node-llama-cpp writes the payload itself, outside the seam: refuse it too.
    for (const seed of [1, 2, 3]) {
      expect(await cache.save(fieldsFor(seed), async () => Promise.reject(denied("open")))).toBe(false);
      expect(await cache.restore(fieldsFor(seed), async () => undefined)).toBe(false);
    }
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/disk cache is off/i);
    expect((await cache.stats()).enabled).toBe(false);
  });

  it("a state that llama.cpp refuses to load is dropped, not thrown at the request", async () => {
    const dir = path.join(scratch, "refused-load");
    const warnings: string[] = [];
    const cache = new PrefixDiskCache(dir, 1024 ** 2, (message) => warnings.push(message));
    expect(await cache.save(fieldsFor(1), writePayload(1))).toBe(true);
    expect(await cache.restore(fieldsFor(1), async () => Promise.reject(new Error("Failed to load state")))).toBe(false);
    const stats = await cache.stats();
    expect(stats).toMatchObject({ entries: 0, corrupt: 1, enabled: true });
    expect(warnings).toEqual([]);
  });

  it("a folder that cannot be listed (EACCES on readdir)", async () => {
    const dir = path.join(scratch, "unlistable");
    const unlistable: CacheFileSystem = {
      ...fs,
      readdir: (async () => {
        throw Object.assign(new Error("EACCES: permission denied, scandir"), { code: "EACCES" });
      }) as unknown as typeof fs.readdir,
    };
    const warnings: string[] = [];
    const cache = new PrefixDiskCache(dir, 1024 ** 2, (message) => warnings.push(message), unlistable);
    await sequenceOfCalls(cache);
    await expect(cache.clear()).resolves.not.toThrow();
    expect(warnings).toHaveLength(1);
  });
});

describe("item 5: two engine processes sharing one cache folder", () => {
  const waitUntil = async (condition: () => boolean) => {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
  };
  /** Another window opens the folder (and sweeps) while `saved` waits; then the write completes and is readable. */
  const secondWindowStartsMidWrite = async (dir: string, saved: Promise<boolean>, release: () => void) => {
    const starting = new PrefixDiskCache(dir, 1024 ** 2, () => undefined);
    expect(await starting.restore(fieldsFor(9), async () => undefined)).toBe(false);
    release();
    expect(await saved).toBe(true);
    expect(await starting.restore(fieldsFor(1), async () => undefined)).toBe(true);
  };

  it("a starting window does not delete another window's half-written payload", async () => {
    const dir = path.join(scratch, "shared-temp");
    const writer = new PrefixDiskCache(dir, 1024 ** 2, () => undefined);
    await writer.stats(); // the folder exists before either window writes

    let tempSeen = "";
    let release!: () => void;
    const writing = new Promise<void>((resolve) => (release = resolve));
    const saved = writer.save(fieldsFor(1), async (tempPath) => {
      tempSeen = tempPath;
      await writeFile(tempPath, payload(1).subarray(0, 500));
      await writing; // the other window starts here
      // Finishes in place, as a writer does: a file deleted meanwhile fails here.
      const handle = await fs.open(tempPath, "r+");
      await handle.write(payload(1), 500, 500, 500);
      await handle.close();
    });
    await waitUntil(() => tempSeen !== "");
    await secondWindowStartsMidWrite(dir, saved, release);
    // Temp names say whose they are: pid and a random part.
    expect(path.basename(tempSeen)).toMatch(new RegExp(`^tmp-${process.pid}-[0-9a-f]{8,}\\.kv$`));
  });

  it("a starting window does not delete a payload whose header is about to be committed", async () => {
    const dir = path.join(scratch, "shared-commit");
    let release!: () => void;
    const committing = new Promise<void>((resolve) => (release = resolve));
    let payloadInPlace = false;
    const slowCommit: CacheFileSystem = {
      ...fs,
      rename: (async (from: string, to: string) => {
        if (to.endsWith(".json")) {
          payloadInPlace = true;
          await committing;
        }
        return fs.rename(from, to);
      }) as typeof fs.rename,
    };
    const writer = new PrefixDiskCache(dir, 1024 ** 2, () => undefined, slowCommit);
    const saved = writer.save(fieldsFor(1), writePayload(1));
    await waitUntil(() => payloadInPlace);
    await secondWindowStartsMidWrite(dir, saved, release);
  });

  it("sweeps temp files of dead processes and old ones, nothing else", async () => {
    const dir = path.join(scratch, "shared-sweep");
    const first = new PrefixDiskCache(dir, 1024 ** 2, () => undefined);
    await first.stats();
    const own = first.directory;
    const hour = new Date(Date.now() - 3600_000);
    const deadTemp = `tmp-${deadPid()}-0123456789abcdef.kv`;
    const liveOldTemp = `tmp-${process.pid}-fedcba9876543210.json`;
    const liveFreshTemp = `tmp-${process.ppid}-00112233445566aa.kv`;
    const oldOrphan = `${"b".repeat(40)}.kv`;
    const freshOrphan = `${"c".repeat(40)}.kv`;
    for (const name of [deadTemp, liveOldTemp, liveFreshTemp, oldOrphan, freshOrphan]) await writeFile(path.join(own, name), "x");
    await utimes(path.join(own, liveOldTemp), hour, hour);
    await utimes(path.join(own, oldOrphan), hour, hour);
    const others = { "tmp-mine.txt": "keep\n", "tmp-1-zz.kv": "keep\n" };
    await plantUserFiles(own, others);

    const starting = new PrefixDiskCache(dir, 1024 ** 2, () => undefined);
    await starting.restore(fieldsFor(1), async () => undefined);
    const left = await readdir(own);
    expect(left).not.toContain(deadTemp);
    expect(left).not.toContain(liveOldTemp);
    expect(left).not.toContain(oldOrphan);
    expect(left).toContain(liveFreshTemp);
    expect(left).toContain(freshOrphan);
    await expectUserFilesIntact(own, others);
  });
});

describe("item 6: cache files are private to the user", () => {
  it("makes its folder 0700 and its files 0600 whatever the umask and the payload writer", async () => {
    const dir = path.join(scratch, "private");
    const cache = new PrefixDiskCache(dir, 1024 ** 2, () => undefined);
    // node-llama-cpp creates the payload with the process's default mode.
    expect(await cache.save(fieldsFor(1), (tempPath) => writeFile(tempPath, payload(1), { mode: 0o644 }))).toBe(true);
    expect((await stat(cache.directory)).mode & 0o777).toBe(0o700);
    const names = await readdir(cache.directory);
    expect(names.length).toBeGreaterThanOrEqual(2);
    for (const name of names) expect((await stat(path.join(cache.directory, name))).mode & 0o777, name).toBe(0o600);
  });
});

describe("item 1: Clear Cache in the editor asks first", () => {
  it("says how much goes from where, and deletes nothing unless the user confirms", async () => {
    const dir = path.join(scratch, "clear-command");
    const cache = new PrefixDiskCache(dir, 1024 ** 2, () => undefined);
    for (const seed of [1, 2]) await cache.save(fieldsFor(seed), writePayload(seed));
    let cleared = 0;
    const engine = {
      cacheStats: async () => ({ disk: await cache.stats(), bytesPerToken: null, mlaLatentBytesPerToken: null, reusedTokens: 0, evaluatedTokens: 0 }),
      clearCache: async () => {
        cleared++;
        await cache.clear();
      },
    };
    registerCommands({ engine, supervisor: { state: { kind: "ready" } }, own: () => undefined } as unknown as ExtensionContextHolder);
    const clearCommand = editor.commands.get("deepseekLocal.clearCache")!;

    editor.answer = undefined; // the user closes the dialog
    await clearCommand();
    expect(cleared).toBe(0);
    expect((await cache.stats()).entries).toBe(2);
    expect(editor.warnings).toHaveLength(1);
    const [asked] = editor.warnings;
    expect(asked!.options).toMatchObject({ modal: true });
    expect(asked!.message).toContain(cache.directory);
    expect(asked!.message).toMatch(/2 cached prefixes \(\d+(\.\d)? KB\)/);

    editor.answer = asked!.items[0];
    await clearCommand();
    expect(cleared).toBe(1);
    expect((await cache.stats()).entries).toBe(0);
    expect(editor.infos.at(-1)).toContain(cache.directory);
  });
});

describe("item 1: the cache commands with no engine running (issue 27 item 2)", () => {
  /** The editor's commands while the engine is `state`; the engine fails the test if it is asked anything. */
  function commandsWith(directory: string | undefined, state: string) {
    editor.warnings.length = 0;
    editor.infos.length = 0;
    const engineAsked = () => expect.fail("the engine was asked while it does not run");
    const ctx = {
      engine: { cacheStats: engineAsked, clearCache: engineAsked },
      supervisor: { state: { kind: state } },
      config: { diskCache: directory ? { directory, maxBytes: 1024 ** 2, minTokens: 64 } : undefined },
      log: { info: () => undefined, warn: () => undefined },
      own: () => undefined,
    };
    registerCommands(ctx as unknown as ExtensionContextHolder);
    return { stats: editor.commands.get("deepseekLocal.showCacheStats")!, clear: editor.commands.get("deepseekLocal.clearCache")! };
  }

  it("reports and clears the disk folder without the engine, asking first; the user's files stay", async () => {
    const dir = path.join(scratch, "not-running");
    await plantUserFiles(dir);
    const cache = new PrefixDiskCache(dir, 1024 ** 2, () => undefined);
    for (const seed of [1, 2, 3]) await cache.save(fieldsFor(seed), writePayload(seed));
    for (const state of ["stopped", "loadFailed", "starting"]) {
      const { stats } = commandsWith(dir, state);
      await stats();
      expect(editor.infos.at(-1)).toMatch(/not running[\s\S]*3 prefixes/);
      expect(editor.infos.at(-1)).toContain(cache.directory);
    }
    const { clear } = commandsWith(dir, "stopped");
    editor.answer = undefined;
    await clear();
    expect((await cache.stats()).entries).toBe(3);
    editor.answer = editor.warnings[0]!.items[0];
    await clear();
    expect((await cache.stats()).entries).toBe(0);
    await expectUserFilesIntact(dir);
  });

  it("never creates the cache folder to report or clear it", async () => {
    const dir = path.join(scratch, "never-used");
    await mkdir(dir);
    const { stats, clear } = commandsWith(dir, "stopped");
    await stats();
    expect(editor.infos.at(-1)).toMatch(/0 prefixes/);
    await clear();
    expect(editor.warnings).toEqual([]);
    expect(editor.infos.at(-1)).toMatch(/already empty/);
    expect(await readdir(dir)).toEqual([]);
  });

  it("with the disk cache off and no engine, says there is nothing", async () => {
    const { stats, clear } = commandsWith(undefined, "stopped");
    await stats();
    expect(editor.infos.at(-1)).toMatch(/Disk cache: off/);
    await clear();
    expect(editor.infos.at(-1)).toMatch(/disk cache is off/);
  });
});

describe("on the real engine (node-llama-cpp, synthetic model)", () => {
  let modelPath: string;
  const engines: LocalEngine[] = [];
  const stablePrefix = Array.from({ length: 40 }, (_, i) => `export function helper${i}(value: number): number {\n  return value * ${i};\n}\n`).join("");
  const request = (variant: string): GenerationRequest => ({
    sequence: "chat",
    prompt: [{ token: "bos" }, { text: `// ${variant}\n${stablePrefix}` }, { text: "// tail\n" }],
    stablePrefixSegments: 2,
    maxTokens: 4,
  });
  const engineWith = (directory: string, maxBytes: number, warnings: string[]) => {
    const engine = createLocalEngine({
      modelPath,
      contextSize: 2048,
      threads: 1,
      diskCache: { directory, maxBytes, minTokens: 64 },
      onWarning: (message) => warnings.push(message),
    });
    engines.push(engine);
    return engine;
  };

  beforeAll(async () => {
    modelPath = await ensureSyntheticModel();
  });
  afterAll(async () => {
    await Promise.all(engines.map((engine) => engine.dispose()));
  });

  it("a project folder as the cache folder: its files survive, the cache's files are private", async () => {
    const dir = path.join(scratch, "engine-project");
    await plantUserFiles(dir);
    const warnings: string[] = [];
    const probe = engineWith(dir, 1024 ** 3, warnings);
    await probe.generate(request("one"));
    const entry = (await probe.cacheStats()).disk!;
    expect(entry.entries).toBe(1);
    await probe.dispose();

    // A new engine (a restart) sweeps at startup, then evicts over a cap of ~1.5 entries.
    const engine = engineWith(dir, Math.floor(entry.bytesOnDisk * 1.5), warnings);
    expect((await engine.generate(request("one"))).metrics.restoredTokens).toBeGreaterThan(0);
    for (const variant of ["two", "three"]) await engine.generate(request(variant));
    const stats = (await engine.cacheStats()).disk!;
    expect(stats.evictions).toBeGreaterThanOrEqual(1);
    expect(stats.directory).not.toBe(dir);
    await expectUserFilesIntact(dir);

    for (const name of await readdir(stats.directory)) {
      expect((await stat(path.join(stats.directory, name))).mode & 0o777, name).toBe(0o600);
    }
    expect((await stat(stats.directory)).mode & 0o777).toBe(0o700);

    await engine.clearCache();
    expect((await engine.cacheStats()).disk!.entries).toBe(0);
    await expectUserFilesIntact(dir);
    expect(warnings).toEqual([]);
  });

  it("Clear Cache empties the KV in memory too: the same request is evaluated again", async () => {
    const engine = engineWith(path.join(scratch, "engine-clear-memory"), 1024 ** 3, []);
    await engine.generate(request("memory"));
    expect((await engine.generate(request("memory"))).metrics.reusedTokens).toBeGreaterThan(0);
    await engine.clearCache();
    const after = (await engine.generate(request("memory"))).metrics;
    expect(after.reusedTokens).toBe(0);
    expect(after.restoredTokens).toBe(0);
  });

  it("a cache folder that is a file: completion works, one warning, nothing written", async () => {
    const file = path.join(scratch, "engine-file");
    await writeFile(file, "not a folder\n");
    const warnings: string[] = [];
    const engine = engineWith(file, 1024 ** 3, warnings);
    for (const variant of ["one", "one", "two"]) {
      const result = await engine.generate(request(variant));
      expect(result.metrics.restoredTokens).toBe(0);
      expect(result.metrics.promptTokens).toBeGreaterThan(64);
    }
    const stats = (await engine.cacheStats()).disk!;
    expect(stats.enabled).toBe(false);
    expect(warnings.filter((message) => /cache/i.test(message))).toHaveLength(1);
    expect(await readFile(file, "utf8")).toBe("not a folder\n");
  });
});
