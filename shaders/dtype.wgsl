// The element type T of a kernel that works on either dtype, with its bit
// conversions and extremes. A kernel includes exactly one of these sections.

// @section f32
alias T = f32;

fn t_from_bits(bits: u32) -> T {
  return bitcast<f32>(bits);
}

fn t_to_bits(v: T) -> u32 {
  return bitcast<u32>(v);
}

fn t_is_nan(v: T) -> bool {
  return is_nan(v);
}

fn t_lowest() -> T {
  return -f32_inf();
}

fn t_highest() -> T {
  return f32_inf();
}

// @section i32
alias T = i32;

fn t_from_bits(bits: u32) -> T {
  return bitcast<i32>(bits);
}

fn t_to_bits(v: T) -> u32 {
  return bitcast<u32>(v);
}

fn t_is_nan(v: T) -> bool {
  return false;
}

fn t_lowest() -> T {
  return i32(-2147483647) - 1;
}

fn t_highest() -> T {
  return 2147483647;
}
