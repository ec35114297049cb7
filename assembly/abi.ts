// The ABI between the TypeScript backend and the kernels: job kinds, op codes and
// descriptor layouts. This file is compiled by both asc (as AssemblyScript) and tsc
// (as TypeScript), so it holds integer constants only — one source of truth.
//
// A job is a descriptor written by JS into linear memory; `dispatch(kind, desc,
// part, parts, thread)` runs part `part` of `parts` on thread `thread` (parts write
// disjoint outputs, so results do not depend on how many there are or which thread
// runs which; `thread` only picks per-thread scratch).

// --- job kinds ------------------------------------------------------------
export const KIND_ELEMENTWISE = 1;
export const KIND_REDUCE = 2;
export const KIND_MATMUL = 3;
export const KIND_GATHER = 4;
export const KIND_SCATTER_ADD = 5;
export const KIND_STEP = 6;
export const KIND_IM2COL = 7;
export const KIND_COL2IM = 8;
export const KIND_POOL = 9;
export const KIND_POOL_GRAD = 10;
export const KIND_CONV = 19;
export const KIND_RANDOM = 18;

// --- dtypes ---------------------------------------------------------------
export const DT_F32 = 0;
export const DT_I32 = 1;

export const MAX_RANK = 16;

// --- elementwise: families and op codes -------------------------------------
export const FAMILY_UNARY = 0;
export const FAMILY_BINARY = 1;
export const FAMILY_WHERE = 2;
export const FAMILY_COPY = 3;
export const FAMILY_FILL = 4;

export const U_NEG = 0;
export const U_ABS = 1;
export const U_SIGN = 2;
export const U_STEP = 3;
export const U_EXP = 4;
export const U_LOG = 5;
export const U_LOG1P = 6;
export const U_EXPM1 = 7;
export const U_SQRT = 8;
export const U_RSQRT = 9;
export const U_SQUARE = 10;
export const U_RECIPROCAL = 11;
export const U_FLOOR = 12;
export const U_CEIL = 13;
export const U_ROUND = 14;
export const U_SIN = 15;
export const U_COS = 16;
export const U_RELU = 17;
export const U_LEAKY_RELU = 18;
export const U_ELU = 19;
export const U_GELU = 20;
export const U_SIGMOID = 21;
export const U_TANH = 22;
export const U_SOFTPLUS = 23;
export const U_CLIP = 24;
export const U_POW_SCALAR = 25;
export const U_LOGICAL_NOT = 26;
export const U_GELU_TANH = 27;

export const B_ADD = 0;
export const B_SUB = 1;
export const B_MUL = 2;
export const B_DIV = 3;
export const B_POW = 4;
export const B_MAX = 5;
export const B_MIN = 6;
export const B_MOD = 7;
export const B_EQ = 8;
export const B_NE = 9;
export const B_LT = 10;
export const B_LE = 11;
export const B_GT = 12;
export const B_GE = 13;
export const B_AND = 14;
export const B_OR = 15;
export const B_RELU_GRAD = 16;
export const B_SIGMOID_GRAD = 17;
export const B_TANH_GRAD = 18;
export const B_ELU_GRAD = 19;
export const B_LEAKY_RELU_GRAD = 20;
export const B_GELU_GRAD = 21;
export const B_CLIP_GRAD = 22;
export const B_GELU_TANH_GRAD = 23;

// Elementwise descriptor (byte offsets). Operand 0 is the output; 1..3 the inputs.
export const EW_FAMILY = 0;
export const EW_OP = 4;
export const EW_IN_DTYPE = 8;
export const EW_OUT_DTYPE = 12;
export const EW_RANK = 16;
export const EW_COUNT = 20;
export const EW_COND_DTYPE = 24;
export const EW_SCRATCH = 28; // per-thread scratch: SCRATCH_PART_BYTES each
export const EW_ARGS = 32; // f64[4]
export const EW_SHAPE = 64; // i32[MAX_RANK]
export const EW_OPERANDS = 128; // OPERAND_BYTES each: byte address, then i32 strides[MAX_RANK] in elements
export const OPERAND_BYTES = 68;
export const EW_BYTES = 400;

// Reduce ops and descriptor.
export const R_SUM = 0;
export const R_MEAN = 1;
export const R_MAX = 2;
export const R_MIN = 3;
export const R_PROD = 4;
export const R_ARGMAX = 5;
export const R_ARGMIN = 6;

export const RD_OP = 0;
export const RD_DTYPE = 4;
export const RD_OUT_DTYPE = 8;
export const RD_OUTER_RANK = 12;
export const RD_INNER_RANK = 16;
export const RD_OUT_COUNT = 20;
export const RD_INNER_COUNT = 24;
export const RD_SCRATCH = 28;
export const RD_X = 32;
export const RD_OUT = 36;
/** 0: each output reduces its own strided run; 1: columns (the last kept dim is contiguous). */
export const RD_MODE = 40;
export const RD_OUTER_SHAPE = 64;
export const RD_OUTER_STRIDES = 128;
export const RD_INNER_SHAPE = 192;
export const RD_INNER_STRIDES = 256;
export const RD_BYTES = 320;

// Matmul descriptor.
export const ACT_LINEAR = 0;
export const ACT_RELU = 1;
export const ACT_SIGMOID = 2;
export const ACT_TANH = 3;
export const ACT_GELU_TANH = 4;

export const MM_BATCH = 0;
export const MM_BATCH_RANK = 4;
export const MM_M = 8;
export const MM_N = 12;
export const MM_K = 16;
export const MM_A = 20;
export const MM_A_RS = 24;
export const MM_A_CS = 28;
export const MM_B = 32;
export const MM_B_RS = 36;
export const MM_B_CS = 40;
export const MM_OUT = 44;
export const MM_BIAS = 48; // 0: no bias
export const MM_BIAS_STRIDE = 52;
export const MM_ACTIVATION = 56;
export const MM_SCRATCH = 60;
export const MM_SCRATCH_PART = 64; // bytes of packing scratch per thread
/** How parts split the work: 0 batches, 1 rows (M), 2 columns (N). */
export const MM_SPLIT = 68;
/**
 * Which work a part does (MM_PHASE_*): all of it (packing its own panels of both
 * operands), only B's panels, or rows against B's panels packed once for every part.
 */
export const MM_PHASE = 72;
/** Byte address of B packed once for every part (phases PACK_B and ROWS). */
export const MM_SHARED_B = 76;
export const MM_PHASE_ALL = 0;
/** Parts pack B's panels (k <= MM_KC, n <= MM_NC, one batch) into MM_SHARED_B. */
export const MM_PHASE_PACK_B = 1;
/** Parts take rows (as split 1) and multiply them by the panels at MM_SHARED_B. */
export const MM_PHASE_ROWS = 2;
export const MM_BATCH_SHAPE = 128;
export const MM_A_BATCH_STRIDES = 192;
export const MM_B_BATCH_STRIDES = 256;
export const MM_BYTES = 320;

// Blocking of the packed matmul (floats). Scratch per thread: MC*KC + KC*NC + 64 (the
// last 64: a 6×8 tile on its way to the epilogue, matmul.ts' kernel6x8).
// MM_MR is the four-pixel tile of the convolution's indirect GEMM (conv-gemm.ts);
// the packed matmul's micro-kernel takes six rows (MM_GEMM_MR): twelve accumulators
// cover the FMA latency where four rows' eight do not (Zen 2: 5 cycles, two pipes).
export const MM_MR = 4;
export const MM_GEMM_MR = 6;
export const MM_NR = 8;
export const MM_KC = 512;
export const MM_MC = 96;
export const MM_NC = 512;

// Gather / scatterAdd descriptor (x, indices and updates contiguous).
export const GA_X = 0;
export const GA_INDICES = 4;
export const GA_OUT = 8;
export const GA_OUTER = 12;
export const GA_AXIS_LEN = 16;
export const GA_INNER = 20;
export const GA_COUNT = 24; // number of indices
export const GA_BYTES = 32;

// Optimizer step descriptor. Rules follow src/backends/step-rules.ts.
export const S_SGD = 0;
export const S_MOMENTUM = 1;
export const S_NESTEROV = 2;
export const S_ADAGRAD = 3;
export const S_RMSPROP = 4;
export const S_RMSPROP_CENTERED = 5;
export const S_ADAM = 6;
export const S_ADAMW = 7;

export const ST_RULE = 0;
export const ST_COUNT = 4;
export const ST_PARAM = 8;
export const ST_GRAD = 12;
export const ST_STATE = 16; // 3 addresses
export const ST_HYPER = 32; // f64[8]
export const ST_BYTES = 96;

// Convolution / pooling window descriptor (assembly/conv.ts): the ConvGeometry of
// src/backends/backend.ts, then addresses. x is contiguous NHWC (JS copies strided
// views first); cols and dy are contiguous; out is overwritten.
export const CV_BATCH = 0;
export const CV_IN_H = 4;
export const CV_IN_W = 8;
export const CV_CHANNELS = 12;
export const CV_OUT_H = 16;
export const CV_OUT_W = 20;
export const CV_KH = 24;
export const CV_KW = 28;
export const CV_SH = 32;
export const CV_SW = 36;
export const CV_DH = 40;
export const CV_DW = 44;
export const CV_PAD_T = 48;
export const CV_PAD_L = 52;
export const CV_GROUPS = 56;
export const CV_X = 60; // im2col, pool, poolGrad: the image
export const CV_AUX = 64; // col2im: the cols; poolGrad: dy
export const CV_OUT = 68;
export const CV_OP = 72; // pool, poolGrad: POOL_MAX or POOL_AVG
// conv (assembly/conv-gemm.ts): the filter [kh, kw, channels, cout] is contiguous at
// CV_AUX; out is [batch, outH, outW, cout] contiguous; bias and activation as in a matmul.
export const CV_COUT = 76;
export const CV_BIAS = 80; // 0: no bias
export const CV_BIAS_STRIDE = 84;
export const CV_ACTIVATION = 88;
export const CV_SCRATCH = 92;
export const CV_SCRATCH_PART = 96; // bytes of scratch per thread
export const CV_BYTES = 100;

export const POOL_MAX = 0;
export const POOL_AVG = 1;

// Random descriptor (src/backends/random-bits.ts): a contiguous out, one word each.
export const RN_DIST_BITS = 0;
export const RN_DIST_UNIFORM = 1;

export const RN_OUT = 0;
export const RN_COUNT = 4;
export const RN_SEED = 8;
export const RN_OFFSET = 12;
export const RN_DIST = 16;
export const RN_BYTES = 20;

/** Scratch each thread may use for index counters and accumulators (bytes). */
export const SCRATCH_PART_BYTES = 16384;

// --- language-model kernels (assembly/norm.ts, attention.ts, cross-entropy.ts) ---
export const KIND_LAYER_NORM = 11;
export const KIND_LAYER_NORM_GRAD = 12;
export const KIND_LAYER_NORM_AFFINE = 13;
export const KIND_ATTENTION = 14;
export const KIND_ATTENTION_GRAD = 15;
export const KIND_XENT = 16;
export const KIND_XENT_GRAD = 17;

// Layer norm descriptor: byte addresses (0 = absent), then the epsilon as f64.
export const LN_ROWS = 0;
export const LN_N = 4;
export const LN_X = 8;
export const LN_GAMMA = 12;
export const LN_BETA = 16;
export const LN_OUT = 20; // out (forward) or dx (backward)
export const LN_MEAN = 24;
export const LN_RSTD = 28;
export const LN_DY = 32;
export const LN_DGAMMA = 36;
export const LN_DBETA = 40;
export const LN_EPS = 48; // f64
export const LN_BYTES = 56;

// Attention descriptor: sizes, byte addresses (mask 0 = none), mask strides in elements.
export const AT_BATCH = 0;
export const AT_LQ = 4;
export const AT_LK = 8;
export const AT_D = 12;
export const AT_DV = 16;
export const AT_CAUSAL = 20;
export const AT_Q = 24;
export const AT_K = 28;
export const AT_V = 32;
export const AT_MASK = 36;
export const AT_M_SB = 40;
export const AT_M_SQ = 44;
export const AT_M_SK = 48;
export const AT_OUT = 52;
export const AT_LSE = 56;
export const AT_DOUT = 60;
export const AT_DQ = 64;
export const AT_DK = 68;
export const AT_DVOUT = 72;
export const AT_SEED = 76;
export const AT_KEEP_FROM = 80; // keep when (hash >> 8) >= this; 0 = no dropout
export const AT_SCRATCH = 84; // per thread: 32 * LK bytes (a block of four rows' scores, and their gradients)
export const AT_SCALE = 88; // f64
export const AT_KEEP_SCALE = 96; // f64
export const AT_BYTES = 104;

// Sparse cross-entropy descriptor.
export const XE_ROWS = 0;
export const XE_V = 4;
export const XE_X = 8;
export const XE_LABELS = 12;
export const XE_LOSS = 16;
export const XE_LSE = 20;
export const XE_DLOSS = 24;
export const XE_DLOSS_STRIDE = 28; // elements
export const XE_DX = 32;
export const XE_BYTES = 36;
