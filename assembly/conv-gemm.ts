// A convolution's forward as implicit GEMM with the patch rows packed from the image
// (the indirection of XNNPACK's convolutions, written here from its description): out[m, j] = act(sum over taps t and channels c of
// x[pixel of tap t for output pixel m, c] · filter[t, c, j] + bias[j]).
//
// The patch matrix is never written: for each tile of four output pixels, the four
// patch rows are packed into a [depth][4] panel straight from the image, per tap four
// pointers to the tap's channel runs (or to a run of zeros where the tap falls in
// padding), and the matmul's 4×8 micro-kernel multiplies that panel by each packed
// filter panel. Against im2col + matmul this saves writing the patch matrix and
// reading it back, a pass over kh·kw times the image's size each. Taps run in
// (ky, kx) order and channels in order, the patch matrix's column order, so each
// output sums the same products in the same order as im2col + matmul (one depth block).
//
// Parts split output pixels in fours; each thread packs the whole filter into its own
// scratch (kh·kw·channels·cout floats, small next to the product's work), followed by
// a run of zeros (one pixel's channels) and the tile's panel.

import {
  CV_ACTIVATION, CV_AUX, CV_BATCH, CV_BIAS, CV_BIAS_STRIDE, CV_CHANNELS, CV_COUT, CV_DH, CV_DW, CV_IN_H, CV_IN_W, CV_KH,
  CV_KW, CV_OUT, CV_OUT_H, CV_OUT_W, CV_PAD_L, CV_PAD_T, CV_SCRATCH, CV_SCRATCH_PART, CV_SH, CV_SW, CV_X, MM_MR, MM_NR,
} from './abi';
import { tile4x8, transposeStore } from './matmul';
import { threadIndex } from './thread';

/** Packs the filter [depth][cout] (contiguous) into panels [ceil(cout/8)][depth][8], zero-padded. */
function packFilter(dst: usize, src: usize, depth: i32, cout: i32): void {
  const rowBytes = <usize>cout << 2;
  for (let j0 = 0; j0 < cout; j0 += MM_NR) {
    const w = min(MM_NR, cout - j0);
    let s = src + (<usize>j0 << 2);
    if (w == MM_NR) {
      for (let k = 0; k < depth; k++) {
        v128.store(dst, v128.load(s));
        v128.store(dst, v128.load(s, 16), 16);
        s += rowBytes;
        dst += 32;
      }
    } else {
      for (let k = 0; k < depth; k++) {
        for (let j = 0; j < MM_NR; j++) store<f32>(dst + (<usize>j << 2), j < w ? load<f32>(s + (<usize>j << 2)) : 0);
        s += rowBytes;
        dst += 32;
      }
    }
  }
}

/**
 * Packs one tile's four patch rows into a panel [depth][4] straight from the image:
 * per tap, four channels of the four rows at a time, transposed in registers.
 */
function packTile(
  dst: usize, img0: usize, img1: usize, img2: usize, img3: usize, y0: i32, y1: i32, y2: i32, y3: i32,
  x0: i32, x1: i32, x2: i32, x3: i32, kh: i32, kw: i32, dh: i32, dw: i32, inH: i32, inW: i32, channels: i32, zeros: usize,
): void {
  const pixelBytes = <usize>channels << 2;
  for (let ky = 0; ky < kh; ky++) {
    const ty = ky * dh;
    for (let kx = 0; kx < kw; kx++) {
      const tx = kx * dw;
      let p0 = tap(img0, y0 + ty, x0 + tx, inH, inW, pixelBytes, zeros);
      let p1 = tap(img1, y1 + ty, x1 + tx, inH, inW, pixelBytes, zeros);
      let p2 = tap(img2, y2 + ty, x2 + tx, inH, inW, pixelBytes, zeros);
      let p3 = tap(img3, y3 + ty, x3 + tx, inH, inW, pixelBytes, zeros);
      let c = 0;
      for (; c + 4 <= channels; c += 4) {
        transposeStore(dst, v128.load(p0), v128.load(p1), v128.load(p2), v128.load(p3), 16);
        p0 += 16; p1 += 16; p2 += 16; p3 += 16;
        dst += 64;
      }
      for (; c < channels; c++) {
        store<f32>(dst, load<f32>(p0));
        store<f32>(dst, load<f32>(p1), 4);
        store<f32>(dst, load<f32>(p2), 8);
        store<f32>(dst, load<f32>(p3), 12);
        p0 += 4; p1 += 4; p2 += 4; p3 += 4;
        dst += 16;
      }
    }
  }
}

/**
 * packTile for a one-channel image when the tile's four pixels are neighbours in one
 * output row and the stride is 1: tap (ky, kx) of pixel j is image[y + ky·dh][x + j +
 * kx·dw], so the four values of a tap are four neighbouring floats of the image row,
 * one vector. Rows in padding give zeros; a row whose span [x, x + (kw − 1)·dw + 4)
 * crosses the image's side is first copied into `line` with zeros outside it.
 */
function packRowTile(dst: usize, line: usize, image: usize, y: i32, x: i32, kh: i32, kw: i32, dh: i32, dw: i32, inH: i32, inW: i32): void {
  const span = (kw - 1) * dw + MM_MR;
  for (let ky = 0; ky < kh; ky++) {
    const iy = y + ky * dh;
    if (<u32>iy >= <u32>inH) {
      for (let kx = 0; kx < kw; kx++) {
        v128.store(dst, i32x4.splat(0));
        dst += 16;
      }
      continue;
    }
    const row = image + (<usize>(iy * inW) << 2);
    let src = row + (<usize>x << 2);
    if (x < 0 || x + span > inW) {
      for (let i = 0; i < span; i++) {
        const ix = x + i;
        store<f32>(line + (<usize>i << 2), <u32>ix < <u32>inW ? load<f32>(row + (<usize>ix << 2)) : 0);
      }
      src = line;
    }
    for (let kx = 0; kx < kw; kx++) {
      v128.store(dst, v128.load(src + (<usize>(kx * dw) << 2)));
      dst += 16;
    }
  }
}

/** Byte address of pixel (y, x)'s channels in one image, or `zeros` when it lies in padding. */
@inline function tap(image: usize, y: i32, x: i32, inH: i32, inW: i32, pixelBytes: usize, zeros: usize): usize {
  return <u32>y < <u32>inH && <u32>x < <u32>inW ? image + <usize>(y * inW + x) * pixelBytes : zeros;
}

export function conv(d: usize, part: i32, parts: i32): void {
  const batch = load<i32>(d + CV_BATCH), inH = load<i32>(d + CV_IN_H), inW = load<i32>(d + CV_IN_W);
  const channels = load<i32>(d + CV_CHANNELS), outH = load<i32>(d + CV_OUT_H), outW = load<i32>(d + CV_OUT_W);
  const kh = load<i32>(d + CV_KH), kw = load<i32>(d + CV_KW), sh = load<i32>(d + CV_SH), sw = load<i32>(d + CV_SW);
  const dh = load<i32>(d + CV_DH), dw = load<i32>(d + CV_DW), padT = load<i32>(d + CV_PAD_T), padL = load<i32>(d + CV_PAD_L);
  const cout = load<i32>(d + CV_COUT);
  const x = <usize>load<i32>(d + CV_X);
  const out = <usize>load<i32>(d + CV_OUT);
  const bias = <usize>load<i32>(d + CV_BIAS);
  const bs = <isize>load<i32>(d + CV_BIAS_STRIDE) << 2;
  const act = load<i32>(d + CV_ACTIVATION);
  const depth = kh * kw * channels;
  const panels = (cout + MM_NR - 1) / MM_NR;

  const packed = <usize>load<i32>(d + CV_SCRATCH) + <usize>threadIndex() * <usize>load<i32>(d + CV_SCRATCH_PART);
  packFilter(packed, <usize>load<i32>(d + CV_AUX), depth, cout);
  const zeros = packed + <usize>panels * depth * (MM_NR * 4);
  memory.fill(zeros, 0, <usize>channels << 2);
  const panel = zeros + (<usize>channels << 2);
  const line = panel + <usize>depth * (MM_MR * 4);

  const pixels = batch * outH * outW;
  const perImage = outH * outW;
  const imageBytes = <usize>inH * inW * channels << 2;
  const ldc = <usize>cout << 2;
  const m0 = part == 0 ? 0 : <i32>(<i64>pixels * part / parts / MM_MR) * MM_MR;
  const m1 = part + 1 >= parts ? pixels : <i32>(<i64>pixels * (part + 1) / parts / MM_MR) * MM_MR;
  // The first pixel's coordinates, then stepped along: no division per tile.
  let img = x + <usize>(m0 / perImage) * imageBytes;
  let oy = (m0 % perImage) / outW, ox = (m0 % perImage) % outW;
  for (let m = m0; m < m1; m += MM_MR) {
    const rows = min(MM_MR, m1 - m);
    // The tile's four output pixels; missing rows repeat the last one (never stored).
    const img0 = img, y0 = oy * sh - padT, x0 = ox * sw - padL;
    if (rows > 1) {
      ox++;
      if (ox == outW) {
        ox = 0;
        oy++;
        if (oy == outH) { oy = 0; img += imageBytes; }
      }
    }
    const img1 = img, y1 = oy * sh - padT, x1 = ox * sw - padL;
    if (rows > 2) {
      ox++;
      if (ox == outW) {
        ox = 0;
        oy++;
        if (oy == outH) { oy = 0; img += imageBytes; }
      }
    }
    const img2 = img, y2 = oy * sh - padT, x2 = ox * sw - padL;
    if (rows > 3) {
      ox++;
      if (ox == outW) {
        ox = 0;
        oy++;
        if (oy == outH) { oy = 0; img += imageBytes; }
      }
    }
    const img3 = img, y3 = oy * sh - padT, x3 = ox * sw - padL;
    // On to the next tile's first pixel.
    {
      ox++;
      if (ox == outW) {
        ox = 0;
        oy++;
        if (oy == outH) { oy = 0; img += imageBytes; }
      }
    }
    // One-channel images (grayscale) with stride 1: four pixels side by side in one row
    // read each tap's four values as one vector.
    if (channels == 1 && sw == 1 && rows == MM_MR && img3 == img0 && y3 == y0) {
      packRowTile(panel, line, img0, y0, x0, kh, kw, dh, dw, inH, inW);
    } else {
      packTile(panel, img0, img1, img2, img3, y0, y1, y2, y3, x0, x1, x2, x3, kh, kw, dh, dw, inH, inW, channels, zeros);
    }
    const cp = out + <usize>m * ldc;
    for (let j = 0; j < cout; j += MM_NR) {
      const bj: usize = bias == 0 ? 0 : bias + <isize>j * bs;
      tile4x8(panel, packed + <usize>j * depth * 4, depth, cp + (<usize>j << 2), ldc, rows, min(MM_NR, cout - j), true, true, bj, bs, act);
    }
  }
}
