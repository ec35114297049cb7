// The safetensors format: the layout the reference writer produces, a file from the
// reference implementation's own documentation, round trips, and every kind of
// hostile file refused with an error that names the problem (before allocating
// anything the file claims).
import { describe, expect, it } from 'vitest';
import * as wg from '../../src/index.js';

const { encodeSafetensors, decodeSafetensors } = wg.io;

/** A safetensors file built by hand from the spec: u64 LE header length, header, data. */
function handMade(header: string | object, data: Uint8Array = new Uint8Array(0), headerLength?: bigint): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, headerLength ?? BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

const f32 = (...values: number[]) => new Uint8Array(Float32Array.from(values).buffer);

describe('safetensors', () => {
  it('writes the reference layout: sorted names, header padded with spaces to 8 bytes, data packed in order', () => {
    const bytes = encodeSafetensors({
      'b/kernel': { shape: [2, 1], data: Float32Array.of(3, 4) },
      'a/bias': { shape: [1], data: Float32Array.of(-1.5) },
    }, { format: 'pt' });
    const header = '{"__metadata__":{"format":"pt"},"a/bias":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b/kernel":{"dtype":"F32","shape":[2,1],"data_offsets":[4,12]}}';
    const padded = header + ' '.repeat((8 - (header.length % 8)) % 8);
    const expected = handMade(padded, new Uint8Array([...f32(-1.5), ...f32(3, 4)]));
    expect(Array.from(bytes)).toEqual(Array.from(expected));
    expect((8 + padded.length) % 8).toBe(0);
  });

  it("reads the file from the reference implementation's documentation (unpadded header, I32)", () => {
    // b"<\x00\x00\x00\x00\x00\x00\x00{\"test\":{\"dtype\":\"I32\",\"shape\":[2,2],\"data_offsets\":[0,16]}}" + 16 zero bytes
    const file = handMade('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}', new Uint8Array(16));
    expect(file[0]).toBe(0x3c);
    const { tensors, metadata } = decodeSafetensors(file);
    expect(metadata).toEqual({});
    const t = tensors.get('test')!;
    expect(t.dtype).toBe('I32');
    expect(t.shape).toEqual([2, 2]);
    expect(t.data).toBeInstanceOf(Int32Array);
    expect(Array.from(t.data)).toEqual([0, 0, 0, 0]);
    // our writer gives the same bytes, padded to 64
    const ours = encodeSafetensors({ test: { shape: [2, 2], data: new Int32Array(4) } });
    expect(new DataView(ours.buffer).getBigUint64(0, true)).toBe(64n);
    expect(new TextDecoder().decode(ours.subarray(8, 72))).toBe('{"test":{"dtype":"I32","shape":[2,2],"data_offsets":[0,16]}}    ');
  });

  it('round-trips float32 and int32 tensors bit for bit, with empty and scalar tensors and metadata', () => {
    const weird = Float32Array.of(NaN, -0, Infinity, -Infinity, 1e-45, 3.4028234663852886e38);
    const tensors = {
      weird: { shape: [2, 3], data: weird },
      ints: { shape: [3], data: Int32Array.of(-2147483648, 0, 2147483647) },
      empty: { shape: [0, 4], data: new Float32Array(0) },
      scalar: { shape: [], data: Float32Array.of(7) },
    };
    const back = decodeSafetensors(encodeSafetensors(tensors, { note: 'héllo', json: '{"a":1}' }));
    expect(back.metadata).toEqual({ note: 'héllo', json: '{"a":1}' });
    for (const [name, t] of Object.entries(tensors)) {
      const got = back.tensors.get(name)!;
      expect(got.shape).toEqual(t.shape);
      expect(new Uint8Array(got.data.buffer, got.data.byteOffset, got.data.byteLength)).toEqual(new Uint8Array(t.data.buffer));
    }
    // F32 sorts before I32 (descending dtype), then by name
    const bytes = encodeSafetensors(tensors);
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, unknown>;
    expect(Object.keys(header)).toEqual(['empty', 'scalar', 'weird', 'ints']);
  });

  it('reads from a view into a larger buffer at any offset (as a pooled Node Buffer is) without leaking its neighbours', () => {
    const bytes = encodeSafetensors({ a: { shape: [2], data: Float32Array.of(1.5, -2) } });
    const larger = new Uint8Array(5 + bytes.length + 9).fill(42); // junk on both sides, odd offset
    larger.set(bytes, 5);
    const pooled = larger.subarray(5, 5 + bytes.length);
    const a = decodeSafetensors(pooled).tensors.get('a')!;
    expect(a.data.byteLength).toBe(8);
    expect(Array.from(a.data)).toEqual([1.5, -2]);
  });

  it('refuses bad arguments when writing', () => {
    expect(() => encodeSafetensors({ a: { shape: [3], data: Float32Array.of(1, 2) } })).toThrow("tensor 'a' has shape [3] but 2 values");
    expect(() => encodeSafetensors({ __metadata__: { shape: [1], data: Float32Array.of(1) } })).toThrow('reserved');
    expect(() => encodeSafetensors({ a: { shape: [1], data: Float64Array.of(1) as unknown as Float32Array } })).toThrow('Float32Array or an Int32Array');
    expect(() => encodeSafetensors({}, { n: 1 as unknown as string })).toThrow('metadata values should be strings');
  });

  describe('hostile files', () => {
    const good = encodeSafetensors({ a: { shape: [2], data: Float32Array.of(1, 2) }, b: { shape: [1], data: Float32Array.of(3) } });
    const refuse = (bytes: Uint8Array, message: string | RegExp) => expect(() => decodeSafetensors(bytes, 'w.safetensors')).toThrow(message);

    it('a truncated file, cut anywhere', () => {
      for (let n = 0; n < good.length; n++) expect(() => decodeSafetensors(good.subarray(0, n))).toThrow();
      refuse(good.subarray(0, 5), 'w.safetensors: the file is 5 bytes; a safetensors file starts with an 8-byte header length');
      refuse(good.subarray(0, 20), /the header length says \d+ bytes but only 12 bytes follow it \(truncated file\?\)/);
      refuse(good.subarray(0, good.length - 1), /data_offsets \[8, 12\] but the file holds only 11 bytes of data/);
    });

    it('a header length beyond the file or absurdly large, without allocating it', () => {
      refuse(handMade('{}', new Uint8Array(0), 0n), "the header should be a JSON object starting with '{'");
      refuse(handMade('{}', new Uint8Array(0), 3n), 'the header length says 3 bytes but only 2 bytes follow it');
      refuse(handMade('{}', new Uint8Array(0), 1000n), 'the header length says 1000 bytes but only 2 bytes follow it');
      refuse(handMade('{}', new Uint8Array(0), 2n ** 64n - 1n), 'the header length says 18446744073709551615 bytes, more than the 100000000-byte limit');
      refuse(handMade('{}', new Uint8Array(0), 100_000_001n), 'more than the 100000000-byte limit');
    });

    it('a header that is not a UTF-8 JSON object', () => {
      refuse(handMade('[1,2]'), "the header should be a JSON object starting with '{'");
      refuse(handMade('{"a":'), 'the header is not valid JSON');
      const bad = handMade('{"\u00ff":1}');
      bad[10] = 0xff;
      refuse(bad, 'the header is not valid UTF-8');
      refuse(handMade({ a: 5 }), "tensor 'a' should be an object { dtype, shape, data_offsets }");
      refuse(handMade({ __metadata__: { n: 1 } }), '__metadata__.n should be a string, got 1');
    });

    it('unknown and unsupported dtypes', () => {
      refuse(handMade({ a: { dtype: 'F33', shape: [1], data_offsets: [0, 4] } }, f32(1)), `tensor 'a' has unknown dtype "F33"`);
      refuse(handMade({ a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, f32(1)), "tensor 'a' is F16; webgrad reads F32 and I32 tensors");
      refuse(handMade({ a: { dtype: 7, shape: [1], data_offsets: [0, 4] } }, f32(1)), 'unknown dtype 7');
    });

    it('offsets whose length does not match dtype × shape', () => {
      refuse(handMade({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(1, 2)), "tensor 'a' is F32 [3] (12 bytes) but its data_offsets [0, 8] span 8 bytes");
      refuse(handMade({ a: { dtype: 'F32', shape: [2], data_offsets: [8, 0] } }, f32(1, 2)), 'end before they begin');
      refuse(handMade({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1)), 'dimensions should be non-negative integers');
      refuse(handMade({ a: { dtype: 'F32', shape: [1.5], data_offsets: [0, 4] } }, f32(1)), 'dimensions should be non-negative integers');
      refuse(handMade({ a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 4] } }, f32(1)), 'of a representable size');
      refuse(handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, f32(1)), 'data_offsets [begin, end] of two non-negative integers');
      refuse(handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [-4, 0] } }, f32(1)), 'two non-negative integers');
    });

    it('a claimed size far beyond the file is refused before any allocation', () => {
      // 10^10 floats = 40 GB: allocating it would fail differently (or exhaust memory).
      refuse(handMade({ a: { dtype: 'F32', shape: [100000, 100000], data_offsets: [0, 40_000_000_000] } }, f32(1)), 'but the file holds only 4 bytes of data');
    });

    it('out-of-range, overlapping and gapped offsets, and trailing bytes', () => {
      refuse(handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(1)), 'data_offsets [4, 8] but the file holds only 4 bytes');
      refuse(handMade({
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
        b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
      }, f32(1, 2, 3)), "tensors 'a' [0, 8) and 'b' [4, 12) overlap");
      refuse(handMade({
        a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
        b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
      }, f32(1, 2, 3)), "bytes [4, 8) before tensor 'b' belong to no tensor");
      refuse(handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(1, 2)), "bytes [0, 4) before tensor 'a'");
      refuse(handMade({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(1, 2)), 'the tensors cover 4 bytes of data but 8 bytes follow the header (trailing bytes)');
      refuse(handMade({
        a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
        b: { dtype: 'F32', shape: [1], data_offsets: [0, 4] },
      }, f32(1)), 'overlap');
    });

    it('accepts tensors listed in any order, as the reference reader does', () => {
      const file = handMade({
        late: { dtype: 'F32', shape: [1], data_offsets: [4, 8] },
        __metadata__: { k: 'v' },
        early: { dtype: 'I32', shape: [1], data_offsets: [0, 4] },
      }, new Uint8Array([...new Uint8Array(Int32Array.of(-7).buffer), ...f32(2.5)]));
      const { tensors, metadata } = decodeSafetensors(file);
      expect([...tensors.keys()]).toEqual(['early', 'late']);
      expect(Array.from(tensors.get('early')!.data)).toEqual([-7]);
      expect(Array.from(tensors.get('late')!.data)).toEqual([2.5]);
      expect(metadata).toEqual({ k: 'v' });
    });
  });

  it('skips tensors a reader does not use (any dtype), still checking their place in the file', () => {
    // a BOOL causal mask of 4 bytes between two F32 tensors, as some GPT-2 checkpoints carry
    const header = { 'h.0.attn.bias': { dtype: 'BOOL', shape: [2, 2], data_offsets: [4, 8] }, a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] } };
    const data = new Uint8Array([...f32(1.5), 1, 0, 1, 1, ...f32(-2)]);
    const skip = (name: string) => name.endsWith('.attn.bias');
    const { tensors } = decodeSafetensors(handMade(header, data), 'file', { skip });
    expect([...tensors.keys()]).toEqual(['a', 'b']);
    expect(Array.from(tensors.get('b')!.data)).toEqual([-2]);
    expect(() => decodeSafetensors(handMade(header, data), 'file')).toThrow("file: tensor 'h.0.attn.bias' is BOOL; webgrad reads F32 and I32 tensors");
    const wrongSize = { ...header, 'h.0.attn.bias': { dtype: 'BOOL', shape: [3], data_offsets: [4, 8] } };
    expect(() => decodeSafetensors(handMade(wrongSize, data), 'file', { skip })).toThrow("tensor 'h.0.attn.bias' is BOOL [3] (3 bytes) but its data_offsets [4, 8] span 4 bytes");
  });
});
