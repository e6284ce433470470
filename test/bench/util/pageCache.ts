// Dropping files from the kernel's page cache, so that reading them is a cold read from the disk
// (issue 24: the disk-cache restore measured cold as well as warm). Linux only.
import { execFileSync } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

/** Every regular file under `directory`. */
export async function filesUnder(directory: string): Promise<string[]> {
  const names = await readdir(directory, { recursive: true });
  const files: string[] = [];
  for (const name of names) {
    const file = path.join(directory, name);
    if ((await stat(file)).isFile()) files.push(file);
  }
  return files;
}

// Dirty pages cannot be dropped: write them out first, then posix_fadvise(DONTNEED) the whole file.
const dropScript = `
import os, sys
for name in sys.argv[1:]:
    fd = os.open(name, os.O_RDONLY)
    try:
        os.fsync(fd)
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)
`;

/** Writes out and drops `files` from the page cache (python3's os.posix_fadvise). */
export function dropFromPageCache(files: readonly string[]): void {
  if (files.length) execFileSync("python3", ["-c", dropScript, ...files], { stdio: ["ignore", "ignore", "pipe"] });
}

/** Bytes of `files` in the page cache (util-linux `fincore`), or undefined where it is missing. */
export function residentBytes(files: readonly string[]): number | undefined {
  if (!files.length) return 0;
  try {
    const out = execFileSync("fincore", ["--bytes", "--noheadings", "--raw", "--output", "RES", ...files], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    return out
      .split("\n")
      .filter(Boolean)
      .reduce((sum, line) => sum + Number(line.trim()), 0);
  } catch {
    return undefined;
  }
}
