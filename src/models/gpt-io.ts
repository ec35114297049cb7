// GPT weights in Hugging Face's GPT-2 layout. Loading reads a safetensors file by
// name (with or without the 'transformer.' prefix of a GPT2LMHeadModel), skips the
// causal-mask buffers older checkpoints carry, accepts a tied lm_head.weight, and
// checks every tensor before changing any weight. Saving writes the same names,
// float32, with the 'pt' metadata and a config.json that transformers reads.

import { checkByteSource, describeSource, readBytes, type ByteSource } from '../io/sources.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensor } from '../io/safetensors.js';
import { modelJson, weightsRecord } from '../io/save.js';
import { type SaveResult, type SaveTarget, weightsFileFor, writeModelFiles } from '../io/store.js';
import { hasFileSystem, pathKind, writeFileAtomic } from '../io/fs.js';
import { isUrlString, joinLocation } from '../io/sources.js';
import * as ops from '../ops/index.js';
import { shapeString } from '../ops/util.js';
import type { GPT } from './gpt.js';

const PREFIX = 'transformer.';
/** Buffers, not parameters: the causal mask and its fill value (not h.N.attn.c_attn.bias). */
const MASK_BUFFER = /^(transformer\.)?h\.\d+\.attn\.(bias|masked_bias)$/;

export async function loadGptWeights(model: GPT, source: ByteSource): Promise<void> {
  const fn = `${model.name}.loadWeights`;
  checkByteSource(fn, source, 'a safetensors file: a path, a URL, a File / Blob or its bytes (ArrayBuffer, Uint8Array)');
  const where = `${fn}: ${describeSource(source)}`;
  const file = decodeSafetensors(await readBytes(fn, source), where, { skip: (name) => MASK_BUFFER.test(name) });
  const tensors = new Map<string, SafetensorsTensor>();
  let head: SafetensorsTensor | undefined;
  const prefixed = [...file.tensors.keys()].some((name) => name.startsWith(PREFIX));
  for (const [name, t] of file.tensors) {
    if (name === 'lm_head.weight') {
      head = t;
      continue;
    }
    if (prefixed && !name.startsWith(PREFIX)) throw new Error(`${where}: tensor '${name}' lacks the '${PREFIX}' prefix the file's other tensors have`);
    tensors.set(prefixed ? name.slice(PREFIX.length) : name, t);
  }
  const weights = model.weights;
  const shown = (name: string) => (prefixed ? PREFIX + name : name);
  for (const w of weights) {
    const t = tensors.get(w.name);
    if (!t) throw new Error(`${where}: the file has no tensor '${shown(w.name)}' ${shapeString(w.shape)}, which this GPT needs (${describeConfig(model)})`);
    if (t.dtype !== 'F32') throw new Error(`${where}: tensor '${shown(w.name)}' is ${t.dtype}; GPT weights should be F32`);
    if (t.shape.length !== w.shape.length || t.shape.some((d, i) => d !== w.shape[i])) {
      throw new Error(`${where}: tensor '${shown(w.name)}' should have shape ${shapeString(w.shape)} for this GPT (${describeConfig(model)}), the file has ${shapeString(t.shape)}`);
    }
  }
  const known = new Set(weights.map((w) => w.name));
  const extra = [...tensors.keys()].filter((name) => !known.has(name));
  if (extra.length > 0) throw new Error(`${where}: the file has tensors this GPT does not use: ${extra.map(shown).join(', ')} (${describeConfig(model)})`);
  if (head) {
    const wte = tensors.get('wte.weight')!;
    const same = head.dtype === 'F32' && head.shape.length === 2 && head.shape[0] === wte.shape[0] && head.shape[1] === wte.shape[1] && head.data.every((v, i) => Object.is(v, wte.data[i]));
    if (!same) throw new Error(`${where}: lm_head.weight differs from wte.weight; this GPT ties its output head to the token embedding, so they must be equal`);
  }
  // Everything is checked: now change the weights.
  const values = weights.map((w) => ops.tensor(tensors.get(w.name)!.data as Float32Array, w.shape));
  try {
    model.setWeights(values);
  } finally {
    for (const v of values) v.dispose();
  }
}

function describeConfig(model: GPT): string {
  const c = model.config;
  return `vocabSize ${c.vocabSize}, contextLength ${c.contextLength}, numLayers ${c.numLayers}, numHeads ${c.numHeads}, embedDim ${c.embedDim}`;
}

/** Hugging Face's config.json for GPT2LMHeadModel. */
export function huggingFaceConfig(model: GPT): Record<string, unknown> {
  const c = model.config;
  return {
    architectures: ['GPT2LMHeadModel'],
    model_type: 'gpt2',
    vocab_size: c.vocabSize,
    n_positions: c.contextLength,
    n_ctx: c.contextLength,
    n_embd: c.embedDim,
    n_layer: c.numLayers,
    n_head: c.numHeads,
    n_inner: null,
    activation_function: 'gelu_new',
    layer_norm_epsilon: c.layerNormEpsilon,
    resid_pdrop: c.dropout,
    embd_pdrop: c.dropout,
    attn_pdrop: c.dropout,
    tie_word_embeddings: true,
    torch_dtype: 'float32',
  };
}

export async function saveGpt(model: GPT, target: SaveTarget): Promise<SaveResult> {
  const fn = `${model.name}.save`;
  const weightsFile = weightsFileFor(target, fn);
  const doc = modelJson(model, weightsFile, fn);
  // transformers refuses safetensors files whose metadata format is not one of its own.
  const weights = encodeSafetensors(await weightsRecord(model), { format: 'pt' });
  const result = await writeModelFiles(target, { json: `${JSON.stringify(doc, null, 2)}\n`, weights }, weightsFile, fn);
  if (target.includes('://') || isUrlString(target) || !hasFileSystem() || (await pathKind(fn, target)) !== 'directory') return result;
  await writeFileAtomic(fn, await joinLocation(target, 'config.json'), `${JSON.stringify(huggingFaceConfig(model), null, 2)}\n`);
  return { ...result, files: [...result.files, 'config.json'] };
}
