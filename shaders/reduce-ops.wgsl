// One section per reduction: how to start, combine two partial results, and
// write the final word. T is the input's element type (dtype.wgsl). `Acc.i` is
// the position among the reduced elements (used by argmax / argmin only).
// Every combine is associative and commutative, so any tree order gives the
// reference's answer (for sums up to float rounding).

struct Acc {
  v: T,
  i: u32,
}

// select() does not take structs
fn select_acc(pick_first: bool, a: Acc, b: Acc) -> Acc {
  if (pick_first) {
    return a;
  }
  return b;
}

// @section sum
fn acc_identity() -> Acc { return Acc(T(0), 0u); }
fn acc_combine(a: Acc, b: Acc) -> Acc { return Acc(a.v + b.v, 0u); }
fn acc_finish(a: Acc, n: u32) -> u32 { return t_to_bits(a.v); }

// @section mean
fn acc_identity() -> Acc { return Acc(T(0), 0u); }
fn acc_combine(a: Acc, b: Acc) -> Acc { return Acc(a.v + b.v, 0u); }
fn acc_finish(a: Acc, n: u32) -> u32 {
  // the mean of nothing is NaN, as 0 / 0 is in the reference
  return bitcast<u32>(select(f32(a.v) / f32(n), f32_nan(), n == 0u));
}

// @section prod
fn acc_identity() -> Acc { return Acc(T(1), 0u); }
fn acc_combine(a: Acc, b: Acc) -> Acc { return Acc(a.v * b.v, 0u); }
fn acc_finish(a: Acc, n: u32) -> u32 { return t_to_bits(a.v); }

// @section max
// NaN wins, as Math.max lets it.
fn acc_identity() -> Acc { return Acc(t_lowest(), 0u); }
fn acc_combine(a: Acc, b: Acc) -> Acc {
  if (t_is_nan(a.v)) {
    return a;
  }
  if (t_is_nan(b.v)) {
    return b;
  }
  return Acc(max(a.v, b.v), 0u);
}
fn acc_finish(a: Acc, n: u32) -> u32 { return t_to_bits(a.v); }

// @section min
fn acc_identity() -> Acc { return Acc(t_highest(), 0u); }
fn acc_combine(a: Acc, b: Acc) -> Acc {
  if (t_is_nan(a.v)) {
    return a;
  }
  if (t_is_nan(b.v)) {
    return b;
  }
  return Acc(min(a.v, b.v), 0u);
}
fn acc_finish(a: Acc, n: u32) -> u32 { return t_to_bits(a.v); }

// @section argmax
// The first extreme wins and a NaN counts as the extreme (numpy's rule).
// NONE marks "no element yet", so -inf still gets an index.
const NONE: u32 = 0xffffffffu;
fn acc_identity() -> Acc { return Acc(t_lowest(), NONE); }
fn first_of(a: Acc, b: Acc) -> Acc {
  if (a.i < b.i) {
    return a;
  }
  return b;
}
fn acc_combine(a: Acc, b: Acc) -> Acc {
  if (a.i == NONE) {
    return b;
  }
  if (b.i == NONE) {
    return a;
  }
  let an = t_is_nan(a.v);
  let bn = t_is_nan(b.v);
  if (an && bn) {
    return first_of(a, b);
  }
  if (an || bn) {
    return select_acc(an, a, b);
  }
  if (a.v == b.v) {
    return first_of(a, b);
  }
  return select_acc(a.v > b.v, a, b);
}
fn acc_finish(a: Acc, n: u32) -> u32 { return select(a.i, 0u, a.i == NONE); }

// @section argmin
const NONE: u32 = 0xffffffffu;
fn acc_identity() -> Acc { return Acc(t_highest(), NONE); }
fn first_of(a: Acc, b: Acc) -> Acc {
  if (a.i < b.i) {
    return a;
  }
  return b;
}
fn acc_combine(a: Acc, b: Acc) -> Acc {
  if (a.i == NONE) {
    return b;
  }
  if (b.i == NONE) {
    return a;
  }
  let an = t_is_nan(a.v);
  let bn = t_is_nan(b.v);
  if (an && bn) {
    return first_of(a, b);
  }
  if (an || bn) {
    return select_acc(an, a, b);
  }
  if (a.v == b.v) {
    return first_of(a, b);
  }
  return select_acc(a.v < b.v, a, b);
}
fn acc_finish(a: Acc, n: u32) -> u32 { return select(a.i, 0u, a.i == NONE); }
