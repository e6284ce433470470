// The model file's identity for cache keys: its sha256, computed once and remembered by
// path + size + mtime (hashing a 9 GB file takes tens of seconds; a changed file is hashed again).
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";

type Memo = Record<string, { size: number; mtimeMs: number; sha256: string }>;

export async function modelFileSha256(modelPath: string, memoFile: string): Promise<string> {
  const { size, mtimeMs } = await stat(modelPath);
  const memo: Memo = await readFile(memoFile, "utf8").then((text) => JSON.parse(text) as Memo, () => ({}));
  const known = memo[modelPath];
  if (known && known.size === size && known.mtimeMs === mtimeMs) return known.sha256;

  const hash = createHash("sha256");
  for await (const chunk of createReadStream(modelPath, { highWaterMark: 4 * 1024 * 1024 })) hash.update(chunk as Buffer);
  const sha256 = hash.digest("hex");
  memo[modelPath] = { size, mtimeMs, sha256 };
  // Private, as the rest of the disk cache's folder (issue 19): it names the user's model paths.
  await mkdir(path.dirname(memoFile), { recursive: true, mode: 0o700 });
  const temp = `${memoFile}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(memo), { mode: 0o600 });
  await rename(temp, memoFile);
  return sha256;
}
