// The safetensors format (Hugging Face): an 8-byte little-endian header length N, N
// bytes of JSON naming each tensor's dtype, shape and byte range [begin, end) in the
// data that follows, then the data, packed without gaps. Readers elsewhere (Python's
// safetensors, candle, transformers.js) read what `encodeSafetensors` writes.
//
// `decodeSafetensors` treats its input as hostile: every number in the header is
// checked against the bytes actually present before anything is allocated from it.

/** The dtypes webgrad tensors are made of. */
export type SafetensorsDType = 'F32' | 'I32';

export interface SafetensorsTensor {
  readonly dtype: SafetensorsDType;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

export interface Safetensors {
  /** Tensors by name, in the order of their data in the file. */
  readonly tensors: ReadonlyMap<string, SafetensorsTensor>;
  /** The optional `__metadata__` strings. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** The reference implementation refuses headers above 100 MB; so do we. */
export const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';

/** Bytes per element of every dtype the format defines (so a known but unsupported one gets its own message). */
const DTYPE_BYTES: Readonly<Record<string, number>> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, F8_E8M0: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};
/** The reference writer orders tensors by dtype (this rank, descending), then by name. */
const DTYPE_RANK: Readonly<Record<SafetensorsDType, number>> = { I32: 0, F32: 1 };

const littleEndian = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

function dtypeOf(data: unknown): SafetensorsDType {
  if (data instanceof Float32Array) return 'F32';
  if (data instanceof Int32Array) return 'I32';
  throw new TypeError(`encodeSafetensors: tensor data should be a Float32Array or an Int32Array, got ${Object.prototype.toString.call(data)}`);
}

/** Element count of a shape, or undefined when a dimension is not a non-negative integer or the count is not exact. */
function elementCount(shape: readonly unknown[]): number | undefined {
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return undefined;
    n *= d;
    if (!Number.isSafeInteger(n)) return undefined;
  }
  return n;
}

/** 4-byte elements as little-endian bytes (a copy). */
function toLittleEndianBytes(data: Float32Array | Int32Array): Uint8Array {
  const bytes = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  if (!littleEndian) for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  return bytes;
}

/**
 * The safetensors bytes for named tensors (shape row-major, as `data` holds them) and
 * optional metadata strings. The layout matches the reference writer: tensors sorted
 * by dtype then name, the header padded with spaces to a multiple of 8 bytes.
 */
export function encodeSafetensors(
  tensors: Readonly<Record<string, { shape: readonly number[]; data: Float32Array | Int32Array }>>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const entries = Object.entries(tensors).map(([name, t]) => {
    if (name === METADATA_KEY) throw new Error(`encodeSafetensors: '${METADATA_KEY}' is reserved and cannot name a tensor`);
    const dtype = dtypeOf(t.data);
    const count = elementCount(t.shape);
    if (count === undefined || count !== t.data.length) {
      throw new Error(`encodeSafetensors: tensor '${name}' has shape ${JSON.stringify(t.shape)} but ${t.data.length} values`);
    }
    return { name, dtype, shape: [...t.shape], data: t.data };
  });
  entries.sort((a, b) => DTYPE_RANK[b.dtype] - DTYPE_RANK[a.dtype] || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TypeError(`encodeSafetensors: metadata values should be strings, got ${typeof v} for '${k}'`);
    }
    header[METADATA_KEY] = metadata;
  }
  let offset = 0;
  for (const e of entries) {
    header[e.name] = { dtype: e.dtype, shape: e.shape, data_offsets: [offset, offset + e.data.byteLength] };
    offset += e.data.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const e of entries) {
    out.set(toLittleEndianBytes(e.data), at);
    at += e.data.byteLength;
  }
  return out;
}

export interface DecodeOptions {
  /**
   * Tensors to leave out (checked for their place in the file, not read, any dtype):
   * buffers a reader does not use, such as GPT-2's causal masks.
   */
  skip?: (name: string) => boolean;
}

interface HeaderEntry {
  name: string;
  dtype: SafetensorsDType;
  shape: number[];
  begin: number;
  end: number;
  skipped: boolean;
}

/**
 * Reads safetensors bytes, refusing (with an error naming the problem and the
 * numbers) a truncated file, a header length beyond the file or the 100 MB limit,
 * a header that is not a UTF-8 JSON object, unknown or unsupported dtypes, shapes
 * whose size disagrees with their byte range, and byte ranges that overlap, leave
 * gaps or run past the data. `what` names the file in messages.
 */
export function decodeSafetensors(bytes: Uint8Array, what = 'safetensors file', options: DecodeOptions = {}): Safetensors {
  const fail = (message: string): never => {
    throw new Error(`${what}: ${message}`);
  };
  if (!(bytes instanceof Uint8Array)) fail(`expected the file's bytes as a Uint8Array, got ${Object.prototype.toString.call(bytes)}`);
  if (bytes.length < 8) fail(`the file is ${bytes.length} bytes; a safetensors file starts with an 8-byte header length (truncated or not safetensors)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const claimed = view.getBigUint64(0, true);
  if (claimed > BigInt(MAX_HEADER_BYTES)) fail(`the header length says ${claimed} bytes, more than the ${MAX_HEADER_BYTES}-byte limit (corrupt or not safetensors)`);
  const headerBytes = Number(claimed);
  if (8 + headerBytes > bytes.length) {
    fail(`the header length says ${headerBytes} bytes but only ${bytes.length - 8} bytes follow it (truncated file?)`);
  }
  if (headerBytes < 2 || bytes[8] !== 0x7b) fail(`the header should be a JSON object starting with '{' (not a safetensors file?)`);
  let text = '';
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + headerBytes));
  } catch {
    fail('the header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    fail(`the header is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('the header should be a JSON object of tensors');

  const dataBytes = bytes.length - 8 - headerBytes;
  const metadata: Record<string, string> = {};
  const entries: HeaderEntry[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (info === null || typeof info !== 'object' || Array.isArray(info)) fail(`${METADATA_KEY} should be an object of strings`);
      for (const [k, v] of Object.entries(info as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`${METADATA_KEY}.${k} should be a string, got ${JSON.stringify(v)}`);
        metadata[k] = v as string;
      }
      continue;
    }
    if (info === null || typeof info !== 'object' || Array.isArray(info)) fail(`tensor '${name}' should be an object { dtype, shape, data_offsets }`);
    const { dtype, shape, data_offsets: offsets } = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
      fail(`tensor '${name}' has unknown dtype ${JSON.stringify(dtype)} (safetensors dtypes: ${Object.keys(DTYPE_BYTES).join(', ')})`);
    }
    const skipped = options.skip?.(name) ?? false;
    if (!skipped && dtype !== 'F32' && dtype !== 'I32') fail(`tensor '${name}' is ${dtype as string}; webgrad reads F32 and I32 tensors`);
    if (!Array.isArray(shape)) fail(`tensor '${name}' should have a shape array, got ${JSON.stringify(shape)}`);
    const count = elementCount(shape as unknown[]);
    if (count === undefined) fail(`tensor '${name}' has shape ${JSON.stringify(shape)}; dimensions should be non-negative integers of a representable size`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)) {
      fail(`tensor '${name}' should have data_offsets [begin, end] of two non-negative integers, got ${JSON.stringify(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end < begin) fail(`tensor '${name}' has data_offsets [${begin}, ${end}] that end before they begin`);
    if (end > dataBytes) fail(`tensor '${name}' has data_offsets [${begin}, ${end}] but the file holds only ${dataBytes} bytes of data (truncated file?)`);
    const expected = count! * DTYPE_BYTES[dtype as string]!;
    if (end - begin !== expected) {
      fail(`tensor '${name}' is ${dtype as string} ${JSON.stringify(shape)} (${expected} bytes) but its data_offsets [${begin}, ${end}] span ${end - begin} bytes`);
    }
    entries.push({ name, dtype: dtype as SafetensorsDType, shape: [...(shape as number[])], begin, end, skipped });
  }

  // The data must be covered exactly: no overlaps (two names for one byte), no gaps (room for a polyglot file).
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: HeaderEntry | undefined;
  for (const e of entries) {
    if (e.begin < covered) fail(`tensors '${previous!.name}' [${previous!.begin}, ${previous!.end}) and '${e.name}' [${e.begin}, ${e.end}) overlap`);
    if (e.begin > covered) {
      fail(`bytes [${covered}, ${e.begin}) before tensor '${e.name}' belong to no tensor; the data must be packed without gaps`);
    }
    covered = e.end;
    previous = e;
  }
  if (covered !== dataBytes) {
    fail(`the tensors cover ${covered} bytes of data but ${dataBytes} bytes follow the header (${covered < dataBytes ? 'trailing bytes' : 'truncated file'})`);
  }

  const start = 8 + headerBytes;
  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of entries) {
    if (e.skipped) continue;
    // A copy, aligned for the typed array (other writers need not pad the header to 4 bytes).
    // Not bytes.slice: on a Node Buffer that is a view of a shared pool, not a copy.
    const raw = new Uint8Array(e.end - e.begin);
    raw.set(bytes.subarray(start + e.begin, start + e.end));
    if (!littleEndian) for (let i = 0; i < raw.length; i += 4) raw.subarray(i, i + 4).reverse();
    const data = e.dtype === 'F32' ? new Float32Array(raw.buffer) : new Int32Array(raw.buffer);
    tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data });
  }
  return { tensors, metadata };
}
