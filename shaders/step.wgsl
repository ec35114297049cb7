// One fused, in-place optimizer update per parameter: one entry point per rule,
// the same formulas and hyper-parameter layout as src/backends/step-rules.ts
// (torch.optim's rules). param, grad and the state buffers are contiguous f32
// views at the given offsets. hyper[0] is the learning rate, hyper[1] weight decay.
// The scalars come from the uniform (section `host`) or, for updates conditioned on
// values on the device (loss scaling, section `device`), partly from a storage buffer:
// bit i of state_offsets.w takes scalar i from it, and its entry 7 is a skip flag
// (nonzero leaves the parameter and its state untouched).

struct Step {
  count: u32,
  param_offset: u32,
  grad_offset: u32,
  hyper_offset: u32,
  state_offsets: vec4u,
  hyper: array<vec4f, 2>,
}

@group(0) @binding(0) var<uniform> params: Step;
@group(0) @binding(1) var<storage, read_write> param: array<f32>;
@group(0) @binding(2) var<storage, read> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> s0: array<f32>;
@group(0) @binding(4) var<storage, read_write> s1: array<f32>;
@group(0) @binding(5) var<storage, read_write> s2: array<f32>;

override WG: u32 = 64u;

fn step_index(wid: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return grid_index(wid, nwg, lid, WG);
}

fn p_at(i: u32) -> u32 { return params.param_offset + i; }
fn s_at(slot: u32, i: u32) -> u32 { return params.state_offsets[slot] + i; }

// The gradient with L2 weight decay folded in (every rule but adamw).
fn decayed_grad(i: u32, p: f32) -> f32 {
  let g = grad[params.grad_offset + i];
  let wd = hyper(1u);
  return select(g, g + wd * p, wd != 0.0);
}

@compute @workgroup_size(WG)
fn sgd(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = step_index(wid, nwg, lid);
  if (i >= params.count || skipped()) {
    return;
  }
  let p = param[p_at(i)];
  param[p_at(i)] = p - hyper(0u) * decayed_grad(i, p);
}

// hyper [lr, wd, momentum, dampening, isFirstStep]; state [buf]
fn momentum_buf(i: u32, g: f32) -> f32 {
  let buf = select(hyper(2u) * s0[s_at(0u, i)] + (1.0 - hyper(3u)) * g, g, hyper(4u) != 0.0);
  s0[s_at(0u, i)] = buf;
  return buf;
}

@compute @workgroup_size(WG)
fn momentum(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = step_index(wid, nwg, lid);
  if (i >= params.count || skipped()) {
    return;
  }
  let p = param[p_at(i)];
  let buf = momentum_buf(i, decayed_grad(i, p));
  param[p_at(i)] = p - hyper(0u) * buf;
}

@compute @workgroup_size(WG)
fn nesterov(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = step_index(wid, nwg, lid);
  if (i >= params.count || skipped()) {
    return;
  }
  let p = param[p_at(i)];
  let g = decayed_grad(i, p);
  let buf = momentum_buf(i, g);
  param[p_at(i)] = p - hyper(0u) * (g + hyper(2u) * buf);
}

// hyper [clr, wd, eps]; state [sum]
@compute @workgroup_size(WG)
fn adagrad(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = step_index(wid, nwg, lid);
  if (i >= params.count || skipped()) {
    return;
  }
  let p = param[p_at(i)];
  let g = decayed_grad(i, p);
  let sum = s0[s_at(0u, i)] + g * g;
  s0[s_at(0u, i)] = sum;
  param[p_at(i)] = p - hyper(0u) * g / (sqrt(sum) + hyper(2u));
}

// hyper [lr, wd, alpha, eps, momentum]; state [squareAvg, buf]
@compute @workgroup_size(WG)
fn rmsprop(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = step_index(wid, nwg, lid);
  if (i >= params.count || skipped()) {
    return;
  }
  let p = param[p_at(i)];
  let g = decayed_grad(i, p);
  let alpha = hyper(2u);
  let sq = alpha * s0[s_at(0u, i)] + (1.0 - alpha) * g * g;
  s0[s_at(0u, i)] = sq;
  let buf = hyper(4u) * s1[s_at(1u, i)] + g / (sqrt(sq) + hyper(3u));
  s1[s_at(1u, i)] = buf;
  param[p_at(i)] = p - hyper(0u) * buf;
}

// hyper [lr, wd, alpha, eps, momentum]; state [squareAvg, gradAvg, buf]
@compute @workgroup_size(WG)
fn rmspropCentered(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = step_index(wid, nwg, lid);
  if (i >= params.count || skipped()) {
    return;
  }
  let p = param[p_at(i)];
  let g = decayed_grad(i, p);
  let alpha = hyper(2u);
  let sq = alpha * s0[s_at(0u, i)] + (1.0 - alpha) * g * g;
  s0[s_at(0u, i)] = sq;
  let ga = alpha * s1[s_at(1u, i)] + (1.0 - alpha) * g;
  s1[s_at(1u, i)] = ga;
  let buf = hyper(4u) * s2[s_at(2u, i)] + g / (sqrt(sq - ga * ga) + hyper(3u));
  s2[s_at(2u, i)] = buf;
  param[p_at(i)] = p - hyper(0u) * buf;
}

// hyper [lr, wd, beta1, beta2, eps, 1-beta1^t, 1-beta2^t]; state [m, v]
fn adam_update(i: u32, p: f32, g: f32) -> f32 {
  let beta1 = hyper(2u);
  let beta2 = hyper(3u);
  let m = beta1 * s0[s_at(0u, i)] + (1.0 - beta1) * g;
  let v = beta2 * s1[s_at(1u, i)] + (1.0 - beta2) * g * g;
  s0[s_at(0u, i)] = m;
  s1[s_at(1u, i)] = v;
  let denom = sqrt(v) / sqrt(hyper(6u)) + hyper(4u);
  return p - (hyper(0u) / hyper(5u)) * (m / denom);
}

@compute @workgroup_size(WG)
fn adam(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = step_index(wid, nwg, lid);
  if (i >= params.count || skipped()) {
    return;
  }
  let p = param[p_at(i)];
  param[p_at(i)] = adam_update(i, p, decayed_grad(i, p));
}

// Decoupled weight decay: the parameter shrinks by lr * wd before the Adam step.
@compute @workgroup_size(WG)
fn adamw(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = step_index(wid, nwg, lid);
  if (i >= params.count || skipped()) {
    return;
  }
  let p = param[p_at(i)] * (1.0 - hyper(0u) * hyper(1u));
  param[p_at(i)] = adam_update(i, p, grad[params.grad_offset + i]);
}

// @section host
fn hyper(i: u32) -> f32 {
  return params.hyper[i / 4u][i % 4u];
}

fn skipped() -> bool {
  return false;
}

// @section device
// Bindings 3-5 are the state buffers (a placeholder where the rule keeps fewer).
@group(0) @binding(6) var<storage, read> device_hyper: array<f32>;

fn hyper(i: u32) -> f32 {
  if (((params.state_offsets.w >> i) & 1u) != 0u) {
    return device_hyper[params.hyper_offset + i];
  }
  return params.hyper[i / 4u][i % 4u];
}

// Uniform control flow: every invocation reads the same flag.
fn skipped() -> bool {
  return device_hyper[params.hyper_offset + 7u] != 0.0;
}
