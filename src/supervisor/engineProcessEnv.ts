// The environment of an engine process, forked or started detached as a shared engine.

/**
 * glibc malloc settings for the engine (Linux). `hugetlb=1`: malloc asks for transparent huge pages
 * for what it maps, so the weights llama.cpp reads into memory (the engine loads without mmap on the
 * CPU) sit in 2 MiB pages instead of 4 KiB ones, which cut the V2-Lite-shaped model's load time by
 * about a third. `trim_threshold`: without it, freeing at the top of the heap hands pages back and
 * the next request faults fresh 2 MiB pages in (zeroed each time), which cost the tiny model a
 * quarter of its prompt speed; the heap now keeps what it grew to. glibc before 2.35 ignores
 * `hugetlb` (docs/performance.md, session 5).
 */
const ENGINE_MALLOC_TUNABLES: readonly [string, string][] = [
  ["glibc.malloc.hugetlb", "1"],
  ["glibc.malloc.trim_threshold", String(256 * 1024 * 1024)],
];

/**
 * The engine process's environment. In VS Code the host runtime is Electron: the child is made to
 * behave as plain Node. One libuv pool thread lets the engine queue a decode and its sample back
 * to back (tokenStepper.ts). On Linux the malloc tunables above are added; one the user set wins.
 */
export function engineProcessEnv(parent: NodeJS.ProcessEnv, overrides: NodeJS.ProcessEnv = {}, platform = process.platform): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...parent, UV_THREADPOOL_SIZE: "1", ...overrides, ELECTRON_RUN_AS_NODE: "1" };
  if (platform === "linux") {
    const tunables = (env.GLIBC_TUNABLES ?? "").split(":").filter(Boolean);
    for (const [name, value] of ENGINE_MALLOC_TUNABLES) {
      if (!tunables.some((t) => t.startsWith(`${name}=`))) tunables.push(`${name}=${value}`);
    }
    env.GLIBC_TUNABLES = tunables.join(":");
  }
  return env;
}
