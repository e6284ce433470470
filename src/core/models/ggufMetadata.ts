// Reads a GGUF file's header — key/value metadata and, when asked, the tensor infos — through a
// byte source handed in, so the host (before any engine touches a file) and the engine (before
// llama.cpp does) run the same bounded parser (format: ggml docs/gguf.md, versions 2 and 3).
//
// Bounded because the header is untrusted (issue 19, item 10): a header claiming 2^40 tensors kept
// a parser busy for minutes and past 4 GB of memory, a 2^40-item array crashed the process, and a
// crafted 126 MB header took 25 s and 1.8 GB. Here every count and length is checked against the
// bytes left in the file (each item takes at least its minimum size) and against a cap on the
// header's size before anything is read or allocated; the file is read in chunks, fixed-size arrays
// that are not kept are skipped without reading them, and the items kept are capped in total.

export type GgufValue = number | bigint | boolean | string | GgufValue[];

/** Why a header was refused: the caller turns this into its own typed error. */
export type GgufProblem = "notGguf" | "truncated" | "tooLarge" | "implausible";

export class GgufFormatError extends Error {
  constructor(
    message: string,
    readonly problem: GgufProblem = "implausible",
  ) {
    super(message);
    this.name = "GgufFormatError";
  }
}

export interface GgufTensorInfo {
  name: string;
  dimensions: number[];
  ggmlType: number;
  /** Absolute offset of the tensor's data in the file. */
  fileOffset: number;
}

export interface GgufMetadata {
  version: number;
  tensorCount: bigint;
  /** Flat keys as in the file, e.g. `general.architecture`, `tokenizer.ggml.tokens`. */
  values: Record<string, GgufValue>;
  /** Bytes the header occupies up to the tensor infos. */
  metadataBytes: number;
}

export interface GgufHeader extends GgufMetadata {
  /** Present when the tensor infos were read. */
  tensors?: GgufTensorInfo[];
  /** Where the tensor data starts (aligned), when the tensor infos were read. */
  dataOffset?: number;
}

/** Where the header comes from: a file handle, or bytes in memory (tests). */
export interface GgufByteSource {
  /** Size of the whole file in bytes. */
  readonly size: number;
  /** Reads up to `into.byteLength` bytes at `position`; resolves with how many were read. */
  read(into: Uint8Array, position: number): Promise<number>;
}

export interface GgufReadOptions {
  /** Read the tensor infos too (the engine's check); default false. */
  tensors?: boolean;
  /** Which arrays to keep (others are counted and skipped); default: all, within `maxKeptItems`. */
  keepArray?: (key: string) => boolean;
  limits?: Partial<GgufHeaderLimits>;
}

export interface GgufHeaderLimits {
  /** Bytes of header (metadata + tensor infos) read at most: DeepSeek's 129k-token vocabulary takes ~4 MB. */
  maxHeaderBytes: number;
  maxKeys: number;
  maxTensors: number;
  /** Array items kept in memory, all arrays together; arrays past this are skipped (and read as []). */
  maxKeptItems: number;
  /** Bytes read from the source at a time. */
  chunkBytes: number;
}

export const defaultGgufHeaderLimits: GgufHeaderLimits = {
  maxHeaderBytes: 64 * 1024 * 1024,
  maxKeys: 1 << 16,
  maxTensors: 1 << 20,
  maxKeptItems: 1 << 21,
  chunkBytes: 1 << 20,
};

/** ggml's limits on a tensor (ggml.h GGML_MAX_DIMS, GGML_MAX_NAME). */
const maxTensorDims = 4;
const maxTensorNameBytes = 64;
const maxArrayNesting = 4;
const defaultAlignment = 32;

const textDecoder = new TextDecoder("utf-8");
const mib = (bytes: number) => `${Math.round(bytes / (1024 * 1024))} MiB`;

/** Bytes of one value of a fixed-size type, by GGUF type id; strings and arrays are variable. */
const fixedSize: Record<number, number> = { 0: 1, 1: 1, 2: 2, 3: 2, 4: 4, 5: 4, 6: 4, 7: 1, 10: 8, 11: 8, 12: 8 };
const stringType = 8;
const arrayType = 9;

/** The fewest bytes a value of this type can take: what a claimed count is checked against. */
function minimumSize(type: number): number {
  if (type === stringType) return 8;
  if (type === arrayType) return 12;
  const size = fixedSize[type];
  if (size === undefined) throw new GgufFormatError(`unknown metadata value type ${type}`);
  return size;
}

/** Chunked reads over a source, never past the file's end nor past the header cap. */
class HeaderCursor {
  private window = new Uint8Array(0);
  private view = new DataView(this.window.buffer);
  private windowStart = 0;
  private offset = 0;
  /** Where reading must stop: the file's end or the header cap, whichever is first. */
  readonly end: number;

  constructor(
    private readonly source: GgufByteSource,
    private readonly limits: GgufHeaderLimits,
  ) {
    this.end = Math.min(source.size, limits.maxHeaderBytes);
  }

  get position(): number {
    return this.offset;
  }

  /** Bytes that may still be read. */
  get left(): number {
    return this.end - this.offset;
  }

  /** Refuses a claim of `bytes` more bytes of header that the file (or the cap) cannot hold. */
  claim(bytes: number, what: string): void {
    if (bytes <= this.left) return;
    if (this.offset + bytes > this.source.size) {
      throw new GgufFormatError(
        `${what} needs at least ${bytes} bytes at offset ${this.offset}, but the file has ${this.source.size} bytes: the header is damaged or the file is truncated`,
        "truncated",
      );
    }
    throw new GgufFormatError(
      `${what} would make the header larger than ${mib(this.limits.maxHeaderBytes)}, which no supported model needs`,
      "tooLarge",
    );
  }

  private buffered(count: number): boolean {
    return this.offset + count <= this.windowStart + this.window.byteLength;
  }

  /** Makes `count` bytes at the position readable (one read of at least a chunk). */
  async ensure(count: number, what: string): Promise<void> {
    if (this.buffered(count)) return;
    this.claim(count, what);
    const length = Math.min(this.end - this.offset, Math.max(count, this.limits.chunkBytes));
    const window = new Uint8Array(length);
    let filled = 0;
    while (filled < length) {
      const read = await this.source.read(window.subarray(filled), this.offset + filled);
      if (read <= 0) break;
      filled += read;
    }
    if (filled < count) throw new GgufFormatError(`the file ended at ${this.offset + filled} bytes inside the header`, "truncated");
    this.window = window.subarray(0, filled);
    this.view = new DataView(this.window.buffer, this.window.byteOffset, this.window.byteLength);
    this.windowStart = this.offset;
  }

  skip(count: number, what: string): void {
    this.claim(count, what);
    this.offset += count;
  }

  private at(count: number): number {
    const at = this.offset - this.windowStart;
    this.offset += count;
    return at;
  }

  // Synchronous reads: the caller has ensured the bytes.
  u8 = () => this.view.getUint8(this.at(1));
  i8 = () => this.view.getInt8(this.at(1));
  u16 = () => this.view.getUint16(this.at(2), true);
  i16 = () => this.view.getInt16(this.at(2), true);
  u32 = () => this.view.getUint32(this.at(4), true);
  i32 = () => this.view.getInt32(this.at(4), true);
  f32 = () => this.view.getFloat32(this.at(4), true);
  f64 = () => this.view.getFloat64(this.at(8), true);
  u64 = () => this.view.getBigUint64(this.at(8), true);
  i64 = () => this.view.getBigInt64(this.at(8), true);

  /** A length or count: a u64 that must fit in the bytes left (each unit at least `unitBytes`). */
  async count(unitBytes: number, what: string, cap = Number.MAX_SAFE_INTEGER): Promise<number> {
    await this.ensure(8, what);
    const value = this.u64();
    if (value > BigInt(cap)) throw new GgufFormatError(`${what} is ${value}, more than the ${cap} any supported model has`);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) this.claim(Number.MAX_SAFE_INTEGER, `${what} (${value})`);
    const count = Number(value);
    this.claim(count * unitBytes, `${what} (${count})`);
    return count;
  }

  async string(what: string, keep = true): Promise<string> {
    const length = await this.count(1, `the length of ${what}`);
    if (!keep) {
      this.skip(length, what);
      return "";
    }
    await this.ensure(length, what);
    const at = this.at(length);
    return textDecoder.decode(this.window.subarray(at, at + length));
  }

  /** The length of the string at the position when it is wholly buffered, else undefined. */
  private bufferedStringLength(): number | undefined {
    if (!this.buffered(8)) return undefined;
    const length = this.view.getBigUint64(this.offset - this.windowStart, true);
    return length <= BigInt(this.windowStart + this.window.byteLength - this.offset - 8) ? Number(length) : undefined;
  }

  /** Skips a string that is already buffered; false when a read is needed. */
  skipBufferedString(): boolean {
    const length = this.bufferedStringLength();
    if (length === undefined) return false;
    this.offset += 8 + length;
    return true;
  }

  /** Reads a string that is already buffered; undefined when a read is needed. */
  bufferedString(): string | undefined {
    const length = this.bufferedStringLength();
    if (length === undefined) return undefined;
    const at = this.at(8 + length) + 8;
    return textDecoder.decode(this.window.subarray(at, at + length));
  }
}

/** Plain numbers where they are exact: metadata sizes and ids fit comfortably. */
function smallBigint(value: bigint): number | bigint {
  return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(value) : value;
}

class HeaderParser {
  private keptItems = 0;

  constructor(
    private readonly cursor: HeaderCursor,
    private readonly limits: GgufHeaderLimits,
  ) {}

  private scalar(type: number): GgufValue {
    const c = this.cursor;
    switch (type) {
      case 0: return c.u8();
      case 1: return c.i8();
      case 2: return c.u16();
      case 3: return c.i16();
      case 4: return c.u32();
      case 5: return c.i32();
      case 6: return c.f32();
      case 7: return c.u8() !== 0;
      case 10: return smallBigint(c.u64());
      case 11: return smallBigint(c.i64());
      case 12: return c.f64();
      default: throw new GgufFormatError(`unknown metadata value type ${type}`);
    }
  }

  async value(type: number, key: string, keep: boolean, depth = 0): Promise<GgufValue> {
    if (type === stringType) return this.cursor.string(`the value of ${key}`, keep);
    if (type === arrayType) return this.array(key, keep, depth);
    const size = minimumSize(type);
    await this.cursor.ensure(size, `the value of ${key}`);
    return this.scalar(type);
  }

  private async array(key: string, keep: boolean, depth: number): Promise<GgufValue[]> {
    if (depth >= maxArrayNesting) throw new GgufFormatError(`${key} nests arrays more than ${maxArrayNesting} deep`);
    const cursor = this.cursor;
    await cursor.ensure(4, `the item type of ${key}`);
    const itemType = cursor.u32();
    const itemBytes = minimumSize(itemType);
    const count = await cursor.count(itemBytes, `the length of the array ${key}`);
    const kept = keep && this.keptItems + count <= this.limits.maxKeptItems;
    if (kept) this.keptItems += count;
    const fixed = fixedSize[itemType];
    if (!kept && fixed !== undefined) {
      cursor.skip(count * fixed, `the array ${key}`);
      return [];
    }
    const items: GgufValue[] = kept ? new Array(count) : [];
    // Lists go chunk by chunk: one await per chunk, not per item.
    if (fixed !== undefined) {
      const perChunk = Math.max(1, Math.floor(this.limits.chunkBytes / fixed));
      for (let i = 0; i < count; ) {
        const n = Math.min(count - i, perChunk);
        await cursor.ensure(n * fixed, `the array ${key}`);
        for (const end = i + n; i < end; i++) items[i] = this.scalar(itemType);
      }
      return items;
    }
    if (itemType === stringType) {
      for (let i = 0; i < count; i++) {
        if (!kept) {
          if (!cursor.skipBufferedString()) await cursor.string(`item ${i} of ${key}`, false);
        } else {
          items[i] = cursor.bufferedString() ?? (await cursor.string(`item ${i} of ${key}`));
        }
      }
      return items;
    }
    for (let i = 0; i < count; i++) {
      const item = await this.value(itemType, `item ${i} of ${key}`, kept, depth + 1);
      if (kept) items[i] = item;
    }
    return items;
  }

  async tensor(index: number): Promise<Omit<GgufTensorInfo, "fileOffset"> & { offset: bigint }> {
    const cursor = this.cursor;
    const name = await cursor.string(`the name of tensor ${index}`);
    if (new TextEncoder().encode(name).byteLength >= maxTensorNameBytes) {
      throw new GgufFormatError(`tensor ${index} has a name of ${name.length} characters; ggml allows fewer than ${maxTensorNameBytes}`);
    }
    await cursor.ensure(4, `tensor ${name}`);
    const dims = cursor.u32();
    if (dims < 1 || dims > maxTensorDims) throw new GgufFormatError(`tensor ${name} has ${dims} dimensions; ggml allows 1 to ${maxTensorDims}`);
    await cursor.ensure(dims * 8 + 12, `tensor ${name}`);
    const dimensions: number[] = [];
    let elements = 1;
    for (let d = 0; d < dims; d++) {
      const size = cursor.u64();
      elements *= Number(size);
      if (elements > Number.MAX_SAFE_INTEGER) throw new GgufFormatError(`tensor ${name} has an impossible shape (dimension ${d} is ${size})`);
      dimensions.push(Number(size));
    }
    const ggmlType = cursor.u32();
    const offset = cursor.u64();
    return { name, dimensions, ggmlType, offset };
  }
}

/**
 * Reads and checks a GGUF header. Rejects with a GgufFormatError (its `problem` says why) when the
 * file is not GGUF, ends inside the header, or claims more than its size or the caps allow.
 */
export async function readGgufHeader(source: GgufByteSource, options: GgufReadOptions = {}): Promise<GgufHeader> {
  const limits = { ...defaultGgufHeaderLimits, ...options.limits };
  const cursor = new HeaderCursor(source, limits);
  const parser = new HeaderParser(cursor, limits);
  const keepArray = options.keepArray ?? (() => true);

  if (source.size < 4) throw new GgufFormatError(`the file has ${source.size} bytes, too few for a GGUF header`, "truncated");
  await cursor.ensure(4, "the magic");
  if (textDecoder.decode(new Uint8Array([cursor.u8(), cursor.u8(), cursor.u8(), cursor.u8()])) !== "GGUF") {
    throw new GgufFormatError('the file does not start with "GGUF"', "notGguf");
  }
  await cursor.ensure(4, "the version");
  const version = cursor.u32();
  if (version < 2 || version > 3) throw new GgufFormatError(`unsupported GGUF version ${version}`, "notGguf");
  // Each tensor info takes at least 32 bytes (name length, one dimension, type, offset), each
  // key/value at least 13 (key length, type, a one-byte value): both counts must fit what is left.
  const tensorCount = await cursor.count(0, "the tensor count", limits.maxTensors);
  const keyCount = await cursor.count(13, "the metadata key count", limits.maxKeys);
  cursor.claim(keyCount * 13 + tensorCount * 32, `${keyCount} metadata keys and ${tensorCount} tensor infos`);

  // No prototype: a key named `__proto__` is data like any other.
  const values: Record<string, GgufValue> = Object.create(null) as Record<string, GgufValue>;
  for (let i = 0; i < keyCount; i++) {
    const key = await cursor.string(`metadata key ${i}`);
    if (Object.hasOwn(values, key)) throw new GgufFormatError(`the metadata key ${key} appears twice`);
    await cursor.ensure(4, `the type of ${key}`);
    const type = cursor.u32();
    values[key] = await parser.value(type, key, type !== arrayType || keepArray(key));
  }
  const header: GgufHeader = { version, tensorCount: BigInt(tensorCount), values, metadataBytes: cursor.position };
  if (!options.tensors) return header;

  cursor.claim(tensorCount * 32, `${tensorCount} tensor infos`);
  const raw = [];
  for (let i = 0; i < tensorCount; i++) raw.push(await parser.tensor(i));
  const alignmentValue = values["general.alignment"];
  const alignment = typeof alignmentValue === "number" && alignmentValue > 0 ? alignmentValue : defaultAlignment;
  const dataOffset = Math.ceil(cursor.position / alignment) * alignment;
  header.dataOffset = dataOffset;
  header.tensors = raw.map(({ offset, ...tensor }) => {
    const fileOffset = dataOffset + Number(offset);
    if (offset > BigInt(source.size) || fileOffset > source.size) {
      throw new GgufFormatError(`tensor ${tensor.name} starts at ${fileOffset}, past the file's end (${source.size} bytes)`, "truncated");
    }
    return { ...tensor, fileOffset };
  });
  return header;
}

/** Bytes in memory as a source (tests, or a header already read). */
export function bytesSource(bytes: Uint8Array): GgufByteSource {
  return {
    size: bytes.byteLength,
    read: async (into, position) => {
      const part = bytes.subarray(position, position + into.byteLength);
      into.set(part);
      return part.byteLength;
    },
  };
}

/** The subset of `fs.promises.FileHandle` a source needs. */
export interface ReadableHandle {
  read(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesRead: number }>;
}

/** An open file as a source; the caller opens and closes the handle. */
export function handleSource(handle: ReadableHandle, size: number): GgufByteSource {
  return { size, read: async (into, position) => (await handle.read(into, 0, into.byteLength, position)).bytesRead };
}

/**
 * Flattens node-llama-cpp's nested metadata (`{ general: { architecture } }`) into GGUF keys
 * (`general.architecture`), so the engine and the host run the same checks.
 */
export function flattenGgufMetadata(nested: unknown, prefix = "", into: Record<string, unknown> = {}): Record<string, unknown> {
  if (nested && typeof nested === "object" && !Array.isArray(nested)) {
    for (const [key, value] of Object.entries(nested)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (value && typeof value === "object" && !Array.isArray(value)) flattenGgufMetadata(value, path, into);
      else into[path] = value;
    }
  }
  return into;
}
