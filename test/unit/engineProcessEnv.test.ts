import { describe, expect, it } from "vitest";
import { engineProcessEnv } from "../../src/supervisor/engineSupervisor";

describe("engineProcessEnv", () => {
  it("runs the child as plain Node with one pool thread and huge pages for malloc on Linux", () => {
    const env = engineProcessEnv({ PATH: "/bin", UV_THREADPOOL_SIZE: "8" }, {}, "linux");
    expect(env).toMatchObject({
      PATH: "/bin",
      UV_THREADPOOL_SIZE: "1",
      ELECTRON_RUN_AS_NODE: "1",
      GLIBC_TUNABLES: "glibc.malloc.hugetlb=1:glibc.malloc.trim_threshold=268435456",
    });
  });

  it("adds to the user's glibc tunables and keeps a hugetlb choice of theirs", () => {
    expect(engineProcessEnv({ GLIBC_TUNABLES: "glibc.malloc.arena_max=2" }, {}, "linux").GLIBC_TUNABLES).toBe(
      "glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1:glibc.malloc.trim_threshold=268435456",
    );
    expect(engineProcessEnv({ GLIBC_TUNABLES: "glibc.malloc.hugetlb=0" }, {}, "linux").GLIBC_TUNABLES).toBe("glibc.malloc.hugetlb=0:glibc.malloc.trim_threshold=268435456");
    expect(engineProcessEnv({}, { GLIBC_TUNABLES: "glibc.malloc.trim_threshold=1024:glibc.malloc.hugetlb=2" }, "linux").GLIBC_TUNABLES).toBe(
      "glibc.malloc.trim_threshold=1024:glibc.malloc.hugetlb=2",
    );
  });

  it("leaves glibc alone elsewhere, and the caller's overrides win except ELECTRON_RUN_AS_NODE", () => {
    const env = engineProcessEnv({}, { UV_THREADPOOL_SIZE: "4", ELECTRON_RUN_AS_NODE: "0" }, "darwin");
    expect(env.GLIBC_TUNABLES).toBeUndefined();
    expect(env.UV_THREADPOOL_SIZE).toBe("4");
    expect(env.ELECTRON_RUN_AS_NODE).toBe("1");
  });
});
