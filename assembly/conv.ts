// Convolution and pooling gathers over contiguous NHWC images (descriptor layout in
// abi.ts, rules in src/backends/backend.ts): im2col and its adjoint col2im (the
// matmul kernel does a convolution's arithmetic), and max / average pooling with
// its gradient. Channels are the innermost dimension, so every kernel walks a
// pixel's channels four at a time; parts split rows or pixels, each writing its own.

import {
  CV_AUX, CV_BATCH, CV_CHANNELS, CV_DH, CV_DW, CV_GROUPS, CV_IN_H, CV_IN_W, CV_KH, CV_KW, CV_OP, CV_OUT, CV_OUT_H,
  CV_OUT_W, CV_PAD_L, CV_PAD_T, CV_SH, CV_SW, CV_X, POOL_MAX,
} from './abi';

// The current job's geometry (globals are per instance, so per thread).
let batch = 0, inH = 0, inW = 0, channels = 0, outH = 0, outW = 0, kh = 0, kw = 0;
let sh = 0, sw = 0, dh = 0, dw = 0, padT = 0, padL = 0, groups = 1;

function readGeometry(d: usize): void {
  batch = load<i32>(d + CV_BATCH);
  inH = load<i32>(d + CV_IN_H);
  inW = load<i32>(d + CV_IN_W);
  channels = load<i32>(d + CV_CHANNELS);
  outH = load<i32>(d + CV_OUT_H);
  outW = load<i32>(d + CV_OUT_W);
  kh = load<i32>(d + CV_KH);
  kw = load<i32>(d + CV_KW);
  sh = load<i32>(d + CV_SH);
  sw = load<i32>(d + CV_SW);
  dh = load<i32>(d + CV_DH);
  dw = load<i32>(d + CV_DW);
  padT = load<i32>(d + CV_PAD_T);
  padL = load<i32>(d + CV_PAD_L);
  groups = load<i32>(d + CV_GROUPS);
}

/** First item of `part` of `parts` over `count` items. */
@inline function first(count: i32, part: i32, parts: i32): i32 {
  return <i32>(<i64>count * part / parts);
}

/** Byte address of pixel (b, y, x)'s first channel in a contiguous NHWC image. */
@inline function pixel(base: usize, b: i32, y: i32, x: i32): usize {
  return base + ((<usize>((b * inH + y) * inW + x) * <usize>channels) << 2);
}

/** dst[0..n) += src[0..n), four lanes at a time. */
@inline function addRun(dst: usize, src: usize, n: i32): void {
  let c = 0;
  for (; c + 4 <= n; c += 4) {
    const o = <usize>c << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; c < n; c++) {
    const o = <usize>c << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

// --- im2col -------------------------------------------------------------------------

/** Runs shorter than this many bytes are copied with vector moves: memory.copy's call costs more. */
const SHORT_RUN: usize = 256;

@inline function copyRun(dst: usize, src: usize, bytes: usize): void {
  if (bytes >= SHORT_RUN) {
    memory.copy(dst, src, bytes);
    return;
  }
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) v128.store(dst + o, v128.load(src + o));
  for (; o < bytes; o += 4) store<f32>(dst + o, load<f32>(src + o));
}

@inline function zeroRun(dst: usize, bytes: usize): void {
  if (bytes >= SHORT_RUN) {
    memory.fill(dst, 0, bytes);
    return;
  }
  let o: usize = 0;
  for (; o + 16 <= bytes; o += 16) v128.store(dst + o, f32x4.splat(0));
  for (; o < bytes; o += 4) store<f32>(dst + o, 0);
}

/** Rows (group, b, oy, ox) of the [groups, M, kh·kw·cg] patch matrix; each row is kh·kw runs of cg channels. */
export function im2col(d: usize, part: i32, parts: i32): void {
  readGeometry(d);
  const x = <usize>load<i32>(d + CV_X);
  const out = <usize>load<i32>(d + CV_OUT);
  const cg = channels / groups;
  const m = batch * outH * outW;
  const rows = groups * m;
  const run = <usize>cg << 2;
  const r0 = first(rows, part, parts);
  const r1 = first(rows, part + 1, parts);
  let dst = out + <usize>r0 * <usize>(kh * kw) * run;
  if (r0 >= r1) return;
  // Row r0's window, then stepped row by row (four divisions a row cost as much as
  // the copies of a one-channel image's row).
  let g = r0 / m;
  const row0 = r0 - g * m;
  let ox = row0 % outW;
  let oy = (row0 / outW) % outH;
  let b = row0 / (outW * outH);
  if (channels == 1) {
    im2colOneChannel(x, dst, r1 - r0, b, oy, ox);
    return;
  }
  for (let r = r0; r < r1; r++, ox++) {
    if (ox == outW) {
      ox = 0;
      if (++oy == outH) {
        oy = 0;
        if (++b == batch) {
          b = 0;
          g++;
        }
      }
    }
    const chan = <usize>(g * cg) << 2;
    // Taps kx0..kx1 land inside the image's columns.
    const x0 = tapsFrom(ox, sw, padL, dw, kw, inW);
    const x1 = tapsTo(ox, sw, padL, dw, kw, inW);
    const lead = <usize>x0 * run;
    const tail = <usize>(kw - x1) * run;
    for (let ky = 0; ky < kh; ky++) {
      const iy = oy * sh - padT + ky * dh;
      if (iy < 0 || iy >= inH || x1 <= x0) {
        zeroRun(dst, <usize>kw * run);
        dst += <usize>kw * run;
        continue;
      }
      zeroRun(dst, lead);
      dst += lead;
      const src = pixel(x, b, iy, ox * sw - padL + x0 * dw) + chan;
      if (dw == 1 && groups == 1) {
        // Neighbouring taps read neighbouring pixels: one run for the whole row of taps.
        const bytes = <usize>(x1 - x0) * run;
        copyRun(dst, src, bytes);
        dst += bytes;
      } else {
        const step = (<usize>(dw * channels)) << 2;
        for (let kx = x0; kx < x1; kx++) {
          copyRun(dst, src + <usize>(kx - x0) * step, run);
          dst += run;
        }
      }
      zeroRun(dst, tail);
      dst += tail;
    }
  }
}

/**
 * im2col of a one-channel image (grayscale; groups is then 1): each row is kh·kw single
 * floats, which the run copies above handle one call per tap row; here each tap is one
 * bounds-checked load and store. `count` rows from pixel (b, oy, ox) on.
 */
function im2colOneChannel(x: usize, dst: usize, count: i32, b: i32, oy: i32, ox: i32): void {
  for (let r = 0; r < count; r++, ox++) {
    if (ox == outW) {
      ox = 0;
      if (++oy == outH) {
        oy = 0;
        b++;
      }
    }
    const image = x + ((<usize>b * <usize>(inH * inW)) << 2);
    const left = ox * sw - padL;
    for (let ky = 0; ky < kh; ky++) {
      const iy = oy * sh - padT + ky * dh;
      if (<u32>iy >= <u32>inH) {
        for (let kx = 0; kx < kw; kx++) store<f32>(dst + (<usize>kx << 2), 0);
      } else {
        const row = image + (<usize>(iy * inW) << 2);
        for (let kx = 0; kx < kw; kx++) {
          const ix = left + kx * dw;
          store<f32>(dst + (<usize>kx << 2), <u32>ix < <u32>inW ? load<f32>(row + (<usize>ix << 2)) : 0);
        }
      }
      dst += <usize>kw << 2;
    }
  }
}

// --- col2im -------------------------------------------------------------------------

/**
 * Each input pixel sums, per channel, the patch entries that came from it: windows in
 * increasing (oy, ox), i.e. taps (ky, kx) in decreasing order. Parts split pixels.
 */
export function col2im(d: usize, part: i32, parts: i32): void {
  readGeometry(d);
  const cols = <usize>load<i32>(d + CV_AUX);
  const out = <usize>load<i32>(d + CV_OUT);
  const cg = channels / groups;
  const m = batch * outH * outW;
  const width = kh * kw * cg;
  const pixels = batch * inH * inW;
  const p0 = first(pixels, part, parts);
  const p1 = first(pixels, part + 1, parts);
  const run = <usize>channels << 2;
  if (p0 >= p1) return;
  // Pixel p0's coordinates, then stepped; strides of 1 skip the divisions (most
  // convolutions: a division per tap cost more than adding a few channels).
  let ix = p0 % inW;
  let iy = (p0 / inW) % inH;
  let b = p0 / (inW * inH);
  for (let p = p0; p < p1; p++, ix++) {
    if (ix == inW) {
      ix = 0;
      if (++iy == inH) {
        iy = 0;
        b++;
      }
    }
    const dst = out + <usize>p * run;
    zeroRun(dst, run);
    for (let ky = kh - 1; ky >= 0; ky--) {
      const ty = iy + padT - ky * dh;
      if (ty < 0) continue;
      const oy = sh == 1 ? ty : ty / sh;
      if (oy >= outH || (sh != 1 && ty % sh != 0)) continue;
      for (let kx = kw - 1; kx >= 0; kx--) {
        const tx = ix + padL - kx * dw;
        if (tx < 0) continue;
        const ox = sw == 1 ? tx : tx / sw;
        if (ox >= outW || (sw != 1 && tx % sw != 0)) continue;
        const row = (b * outH + oy) * outW + ox;
        const tap = (ky * kw + kx) * cg;
        for (let g = 0; g < groups; g++) {
          const src = cols + ((<usize>(g * m + row) * <usize>width + <usize>tap) << 2);
          addRun(dst + (<usize>(g * cg) << 2), src, cg);
        }
      }
    }
  }
}

// --- pooling ------------------------------------------------------------------------

/** Taps of window o along one side that fall inside the image: [lo, hi). */
@inline function tapsFrom(o: i32, stride: i32, pad: i32, dil: i32, k: i32, size: i32): i32 {
  const start = o * stride - pad;
  let lo = 0;
  while (lo < k && start + lo * dil < 0) lo++;
  return lo;
}

@inline function tapsTo(o: i32, stride: i32, pad: i32, dil: i32, k: i32, size: i32): i32 {
  const start = o * stride - pad;
  let hi = k;
  while (hi > 0 && start + (hi - 1) * dil >= size) hi--;
  return hi;
}

/** Max (NaN wins, as Math.max) or mean of the taps inside the image, per channel. Parts split output pixels. */
export function pool(d: usize, part: i32, parts: i32): void {
  readGeometry(d);
  const x = <usize>load<i32>(d + CV_X);
  const out = <usize>load<i32>(d + CV_OUT);
  const isMax = load<i32>(d + CV_OP) == POOL_MAX;
  const pixels = batch * outH * outW;
  const p0 = first(pixels, part, parts);
  const p1 = first(pixels, part + 1, parts);
  const ninf = f32x4.splat(-Infinity);
  for (let p = p0; p < p1; p++) {
    const ox = p % outW;
    const oy = (p / outW) % outH;
    const b = p / (outW * outH);
    const y0 = tapsFrom(oy, sh, padT, dh, kh, inH);
    const y1 = tapsTo(oy, sh, padT, dh, kh, inH);
    const x0 = tapsFrom(ox, sw, padL, dw, kw, inW);
    const x1 = tapsTo(ox, sw, padL, dw, kw, inW);
    const count = <f32>((y1 - y0) * (x1 - x0));
    const dst = out + ((<usize>p * <usize>channels) << 2);
    let c = 0;
    for (; c + 4 <= channels; c += 4) {
      let acc = isMax ? ninf : f32x4.splat(0);
      for (let ky = y0; ky < y1; ky++) {
        const iy = oy * sh - padT + ky * dh;
        for (let kx = x0; kx < x1; kx++) {
          const v = v128.load(pixel(x, b, iy, ox * sw - padL + kx * dw) + (<usize>c << 2));
          acc = isMax ? f32x4.max(acc, v) : f32x4.add(acc, v);
        }
      }
      v128.store(dst + (<usize>c << 2), isMax ? acc : f32x4.div(acc, f32x4.splat(count)));
    }
    for (; c < channels; c++) {
      let acc: f32 = isMax ? -Infinity : 0;
      for (let ky = y0; ky < y1; ky++) {
        const iy = oy * sh - padT + ky * dh;
        for (let kx = x0; kx < x1; kx++) {
          const v = load<f32>(pixel(x, b, iy, ox * sw - padL + kx * dw) + (<usize>c << 2));
          // f32.max propagates NaN, as Math.max and f32x4.max do
          acc = isMax ? max(acc, v) : acc + v;
        }
      }
      store<f32>(dst + (<usize>c << 2), isMax ? acc : acc / count);
    }
  }
}

/**
 * For each input pixel, the windows that cover it in (oy, ox) order: avg adds each
 * window's dy / count; max adds dy where the window's first largest tap (recomputed,
 * lane by lane; a NaN counts as largest) is this pixel. Parts split input pixels.
 */
export function poolGrad(d: usize, part: i32, parts: i32): void {
  readGeometry(d);
  const x = <usize>load<i32>(d + CV_X);
  const dy = <usize>load<i32>(d + CV_AUX);
  const out = <usize>load<i32>(d + CV_OUT);
  const isMax = load<i32>(d + CV_OP) == POOL_MAX;
  if (isMax && (kh - 1) * dh < sh && (kw - 1) * dw < sw) {
    maxPoolGradDisjoint(x, dy, out, part, parts);
    return;
  }
  const pixels = batch * inH * inW;
  const p0 = first(pixels, part, parts);
  const p1 = first(pixels, part + 1, parts);
  for (let p = p0; p < p1; p++) {
    const ix = p % inW;
    const iy = (p / inW) % inH;
    const b = p / (inW * inH);
    const here = iy * inW + ix;
    const dst = out + ((<usize>p * <usize>channels) << 2);
    zeroRun(dst, <usize>channels << 2);
    // Windows whose taps can land on (iy, ix): o·s − pad ≤ i ≤ o·s − pad + (k − 1)·dil.
    let oyLo = iy + padT - (kh - 1) * dh;
    oyLo = oyLo <= 0 ? 0 : (oyLo + sh - 1) / sh;
    const oyHi = min((iy + padT) / sh, outH - 1);
    let oxLo = ix + padL - (kw - 1) * dw;
    oxLo = oxLo <= 0 ? 0 : (oxLo + sw - 1) / sw;
    const oxHi = min((ix + padL) / sw, outW - 1);
    for (let oy = oyLo; oy <= oyHi; oy++) {
      if ((iy + padT - oy * sh) % dh != 0) continue;
      const y0 = tapsFrom(oy, sh, padT, dh, kh, inH);
      const y1 = tapsTo(oy, sh, padT, dh, kh, inH);
      for (let ox = oxLo; ox <= oxHi; ox++) {
        if ((ix + padL - ox * sw) % dw != 0) continue;
        const x0 = tapsFrom(ox, sw, padL, dw, kw, inW);
        const x1 = tapsTo(ox, sw, padL, dw, kw, inW);
        const g = dy + ((<usize>((b * outH + oy) * outW + ox) * <usize>channels) << 2);
        if (!isMax) {
          const scale = f32x4.splat(<f32>((y1 - y0) * (x1 - x0)));
          let c = 0;
          for (; c + 4 <= channels; c += 4) {
            const o = <usize>c << 2;
            v128.store(dst + o, f32x4.add(v128.load(dst + o), f32x4.div(v128.load(g + o), scale)));
          }
          const n = <f32>((y1 - y0) * (x1 - x0));
          for (; c < channels; c++) {
            const o = <usize>c << 2;
            store<f32>(dst + o, load<f32>(dst + o) + load<f32>(g + o) / n);
          }
          continue;
        }
        let c = 0;
        for (; c + 4 <= channels; c += 4) {
          const o = <usize>c << 2;
          let best = f32x4.splat(0);
          let arg = i32x4.splat(-1);
          let started = false;
          for (let ky = y0; ky < y1; ky++) {
            const ty = oy * sh - padT + ky * dh;
            for (let kx = x0; kx < x1; kx++) {
              const tx = ox * sw - padL + kx * dw;
              const v = v128.load(pixel(x, b, ty, tx) + o);
              const at = i32x4.splat(ty * inW + tx);
              if (!started) {
                best = v;
                arg = at;
                started = true;
                continue;
              }
              // Take v where (v > best or v is NaN) and best is not NaN.
              const take = v128.and(v128.or(f32x4.gt(v, best), f32x4.ne(v, v)), f32x4.eq(best, best));
              best = v128.bitselect(v, best, take);
              arg = v128.bitselect(at, arg, take);
            }
          }
          const mine = i32x4.eq(arg, i32x4.splat(here));
          v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.and(v128.load(g + o), mine)));
        }
        for (; c < channels; c++) {
          const o = <usize>c << 2;
          let best: f32 = 0;
          let arg = -1;
          for (let ky = y0; ky < y1; ky++) {
            const ty = oy * sh - padT + ky * dh;
            for (let kx = x0; kx < x1; kx++) {
              const tx = ox * sw - padL + kx * dw;
              const v = load<f32>(pixel(x, b, ty, tx) + o);
              if (arg < 0 || (!isNaN(best) && (v > best || isNaN(v)))) {
                best = v;
                arg = ty * inW + tx;
              }
            }
          }
          if (arg == here) store<f32>(dst + o, load<f32>(dst + o) + load<f32>(g + o));
        }
      }
    }
  }
}

/**
 * Max pooling's gradient where windows do not overlap (stride ≥ the window's extent,
 * the usual 2×2 stride 2): each input pixel is in at most one window, so each window's
 * first largest tap is found once (not once per pixel it covers, four times for 2×2)
 * and every tap is stored: dy where it won, zero elsewhere. Window row oy owns the
 * band of input rows [oy·sh − padT, (oy + 1)·sh − padT) (the first from row 0, the last
 * to the image's end), which it zeroes first for the pixels no window covers. Parts
 * split window rows (b, oy); bands are disjoint, so parts write disjoint rows.
 */
function maxPoolGradDisjoint(x: usize, dy: usize, out: usize, part: i32, parts: i32): void {
  const rows = batch * outH;
  const r0 = first(rows, part, parts);
  const r1 = first(rows, part + 1, parts);
  const rowBytes = (<usize>inW * <usize>channels) << 2;
  for (let r = r0; r < r1; r++) {
    const b = r / outH;
    const oy = r - b * outH;
    const top = oy == 0 ? 0 : max(0, oy * sh - padT);
    const bottom = oy == outH - 1 ? inH : min(inH, (oy + 1) * sh - padT);
    if (bottom > top) memory.fill(pixel(out, b, top, 0), 0, <usize>(bottom - top) * rowBytes);
    const y0 = tapsFrom(oy, sh, padT, dh, kh, inH);
    const y1 = tapsTo(oy, sh, padT, dh, kh, inH);
    for (let ox = 0; ox < outW; ox++) {
      const x0 = tapsFrom(ox, sw, padL, dw, kw, inW);
      const x1 = tapsTo(ox, sw, padL, dw, kw, inW);
      if (y1 <= y0 || x1 <= x0) continue;
      const g = dy + ((<usize>(r * outW + ox) * <usize>channels) << 2);
      const yTop = oy * sh - padT;
      const xLeft = ox * sw - padL;
      let c = 0;
      for (; c + 4 <= channels; c += 4) {
        const o = <usize>c << 2;
        // The first largest tap per lane (a NaN counts as largest), as poolGrad does.
        let best = v128.load(pixel(x, b, yTop + y0 * dh, xLeft + x0 * dw) + o);
        let arg = i32x4.splat(y0 * kw + x0);
        for (let ky = y0; ky < y1; ky++) {
          for (let kx = ky == y0 ? x0 + 1 : x0; kx < x1; kx++) {
            const v = v128.load(pixel(x, b, yTop + ky * dh, xLeft + kx * dw) + o);
            const take = v128.and(v128.or(f32x4.gt(v, best), f32x4.ne(v, v)), f32x4.eq(best, best));
            best = v128.bitselect(v, best, take);
            arg = v128.bitselect(i32x4.splat(ky * kw + kx), arg, take);
          }
        }
        const grad = v128.load(g + o);
        for (let ky = y0; ky < y1; ky++) {
          for (let kx = x0; kx < x1; kx++) {
            v128.store(pixel(out, b, yTop + ky * dh, xLeft + kx * dw) + o, v128.and(grad, i32x4.eq(arg, i32x4.splat(ky * kw + kx))));
          }
        }
      }
      for (; c < channels; c++) {
        const o = <usize>c << 2;
        let best = load<f32>(pixel(x, b, yTop + y0 * dh, xLeft + x0 * dw) + o);
        let at = pixel(out, b, yTop + y0 * dh, xLeft + x0 * dw) + o;
        for (let ky = y0; ky < y1; ky++) {
          for (let kx = ky == y0 ? x0 + 1 : x0; kx < x1; kx++) {
            const v = load<f32>(pixel(x, b, yTop + ky * dh, xLeft + kx * dw) + o);
            if (!isNaN(best) && (v > best || isNaN(v))) {
              best = v;
              at = pixel(out, b, yTop + ky * dh, xLeft + kx * dw) + o;
            }
          }
        }
        // The band was zeroed: only the winner gets dy.
        store<f32>(at, load<f32>(g + o));
      }
    }
  }
}
