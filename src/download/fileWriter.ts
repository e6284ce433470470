// Where downloaded bytes go. Injectable so tests can make the disk "full" halfway through.
import { open, statfs } from "node:fs/promises";

export interface WritableFile {
  write(chunk: Uint8Array): Promise<void>;
  /** Flushes to the device: a .part file that claims N bytes must hold N bytes after a crash. */
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface DownloadFileWriter {
  /** Opens `path` for writing; `append` keeps what is there, otherwise it is truncated. */
  open(path: string, append: boolean): Promise<WritableFile>;
}

export const nodeFileWriter: DownloadFileWriter = {
  async open(path, append) {
    const handle = await open(path, append ? "a" : "w");
    return {
      async write(chunk) {
        let offset = 0;
        while (offset < chunk.byteLength) {
          const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
          offset += bytesWritten;
        }
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  },
};

/** Free bytes on the file system that holds `directory`, for the non-root user. */
export async function freeDiskBytes(directory: string): Promise<number> {
  const stats = await statfs(directory);
  return Number(stats.bavail) * Number(stats.bsize);
}
