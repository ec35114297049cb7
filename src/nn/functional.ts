// The functional API: a model that is a graph of layer calls. `wg.model({ inputs,
// outputs })` walks the calls recorded on the symbolic outputs back to the inputs,
// orders them so every call comes after the calls that feed it, and runs them in that
// order, freeing each intermediate tensor after its last use.

import { describe } from '../autograd.js';
import { checkOptions } from '../options.js';
import { shapeString } from '../ops/util.js';
import { Tensor } from '../tensor.js';
import type { Layer, Shape } from './layer.js';
import { Checkpointed } from './checkpointed.js';
import type { ForwardPlan, TapeStep } from './memory-estimate.js';
import { MultiInputLayer } from './multi-input.js';
import { defaultModelName, LayersModel, type SummaryRow } from './model-base.js';
import { input, type SymbolicNode, SymbolicTensor } from './symbolic.js';
import type { FunctionalArchitecture } from '../io/model-json.js';

export interface ModelArgs {
  /** The model's input (from wg.input), or several. */
  inputs: SymbolicTensor | readonly SymbolicTensor[];
  /** What the model returns: a symbolic tensor made by layer.apply, or several. */
  outputs: SymbolicTensor | readonly SymbolicTensor[];
  name?: string;
}

/** One recorded layer call, in run order. */
interface GraphNode {
  readonly node: SymbolicNode;
  readonly output: SymbolicTensor;
}

export class Model extends LayersModel {
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
  /** @internal the layer calls in an order where each comes after its inputs' calls */
  readonly nodes: readonly GraphNode[];
  private readonly layerList: Layer[];
  /** How many calls (and outputs) read each symbolic tensor, by id. */
  private readonly readers = new Map<number, number>();

  constructor(args: ModelArgs) {
    checkOptions('model', args, ['inputs', 'outputs', 'name']);
    if (args === undefined) throw new Error('model: expected { inputs, outputs }, got undefined');
    const inputs = listOf('inputs', args.inputs);
    const outputs = listOf('outputs', args.outputs);
    inputs.forEach((t, i) => {
      if (t.node) throw new Error(`model: inputs[${i}] (${t.name}) is the output of layer '${t.node.layer.name}'; inputs should come from wg.input`);
    });
    if (new Set(inputs).size !== inputs.length) throw new Error('model: the same input is listed twice in inputs');
    if (args.name !== undefined && (typeof args.name !== 'string' || args.name === '')) throw new Error(`model: name should be a non-empty string, got ${describe(args.name)}`);
    super(args.name ?? defaultModelName('model'));
    this.inputs = inputs;
    this.outputs = outputs;
    this.nodes = orderCalls(inputs, outputs);
    this.layerList = [...new Set(this.nodes.map((n) => n.node.layer))];
    for (const { node } of this.nodes) for (const t of node.inputs) this.readers.set(t.id, (this.readers.get(t.id) ?? 0) + 1);
    for (const t of outputs) this.readers.set(t.id, (this.readers.get(t.id) ?? 0) + 1);
  }

  get layers(): readonly Layer[] {
    return this.layerList;
  }

  /** A functional model is built when it is made; the shape is checked against its input. */
  build(inputShape: Shape): void {
    const own = this.inputShape!;
    if (inputShape.length !== own.length || inputShape.some((d, i) => own[i] !== null && d !== own[i])) {
      throw new Error(`${this.name}.build: the model's input has shape [batch,${own.map((d) => d ?? '*').join(',')}], got ${shapeString(inputShape.map((d) => d ?? -1))}`);
    }
  }

  /** The first input's sample shape. */
  get inputShape(): Shape {
    return this.inputs[0]!.shape.slice(1);
  }

  /** The first output's sample shape. */
  get outputShape(): Shape {
    return this.outputs[0]!.shape.slice(1);
  }

  /**
   * @internal the forward pass for wg.estimateTrainingMemory: every layer call in run
   * order (a layer applied twice is two steps), with the sample shapes of its inputs and
   * output; checkpointed blocks as checkpointed steps.
   */
  forwardPlan(): ForwardPlan {
    const sample = (t: SymbolicTensor): Shape => t.shape.slice(1);
    this.inputs.forEach((t) => {
      if (sample(t).some((d) => d === null)) {
        throw new Error(`estimateTrainingMemory: input ${t.name} of ${this.name} has an unknown dimension (shape [batch,${sample(t).map((d) => d ?? 'null').join(',')}]); give wg.input a full shape to estimate memory`);
      }
    });
    const steps: TapeStep[] = this.nodes.map(({ node, output }) => {
      const inputs = node.inputs.map(sample);
      if (node.layer instanceof Checkpointed) {
        let shape = inputs[0]!;
        const inner: TapeStep[] = node.layer.layers.map((layer) => {
          const out = layer.computeOutputShape(shape);
          const step = { layer, inputs: [shape], output: out };
          shape = out;
          return step;
        });
        return { checkpointed: inner, output: sample(output) };
      }
      return { layer: node.layer, inputs, output: sample(output) };
    });
    return { inputs: this.inputs.map(sample), steps };
  }

  /** Runs a model with one input and one output on a batch (see applyAll for more). */
  apply(x: Tensor, training = false): Tensor {
    if (this.inputs.length !== 1 || this.outputs.length !== 1) {
      throw new Error(`${this.name}.apply: the model has ${this.inputs.length} inputs and ${this.outputs.length} outputs; use model.applyAll([x1, ...]) (fit, evaluate and predict take models with one of each)`);
    }
    return this.applyAll([x], training)[0]!;
  }

  /** Runs the graph on one tensor per input; returns one tensor per output. */
  applyAll(xs: readonly Tensor[], training = false): Tensor[] {
    const fn = `${this.name}.applyAll`;
    if (!Array.isArray(xs) || xs.length !== this.inputs.length) {
      throw new Error(`${fn}: expected ${this.inputs.length} input tensor(s), got ${Array.isArray(xs) ? xs.length : describe(xs)}`);
    }
    xs.forEach((x, i) => {
      const want = this.inputs[i]!;
      if (!(x instanceof Tensor)) throw new TypeError(`${fn}: input ${i} (${want.name}) should be a Tensor, got ${describe(x)}`);
      x.assertAlive(fn, `input ${i}`);
      const sample = x.shape.slice(1);
      const expected = want.shape.slice(1);
      if (x.rank < 1 || sample.length !== expected.length || sample.some((d, j) => expected[j] !== null && d !== expected[j])) {
        throw new Error(`${fn}: input ${i} (${want.name}) should have shape [batch,${expected.map((d) => d ?? '*').join(',')}], got ${shapeString(x.shape)}`);
      }
      if (x.dtype !== want.dtype) throw new TypeError(`${fn}: input ${i} (${want.name}) should be ${want.dtype}, got ${x.dtype}`);
    });
    const values = new Map<number, Tensor>();
    const left = new Map(this.readers);
    this.inputs.forEach((t, i) => values.set(t.id, xs[i]!));
    const given = new Set(xs);
    const release = (t: SymbolicTensor) => {
      const n = left.get(t.id)! - 1;
      left.set(t.id, n);
      const value = values.get(t.id)!;
      if (n === 0 && !given.has(value)) value.dispose();
    };
    try {
      for (const { node, output } of this.nodes) {
        const inputs = node.inputs.map((t) => values.get(t.id)!);
        values.set(output.id, node.layer.invoke(inputs, { ...node.options, training }));
        for (const t of node.inputs) release(t);
      }
    } catch (error) {
      for (const [id, t] of values) if (!given.has(t) && (left.get(id) ?? 0) > 0) t.dispose();
      throw error;
    }
    // An output that is also an input, or listed twice, gets its own handle.
    const seen = new Set<Tensor>();
    return this.outputs.map((t) => {
      const value = values.get(t.id)!;
      const own = given.has(value) || seen.has(value) ? value.share() : value;
      seen.add(value);
      return own;
    });
  }

  /** @internal the graph with tensors numbered: inputs first, then each node's output */
  architecture(): FunctionalArchitecture {
    const index = new Map<number, number>();
    this.inputs.forEach((t, i) => index.set(t.id, i));
    this.nodes.forEach(({ output }, i) => index.set(output.id, this.inputs.length + i));
    return {
      className: 'Model',
      name: this.name,
      inputs: this.inputs.map((t) => ({ name: t.name, shape: t.shape.slice(1), dtype: t.dtype as 'float32' | 'int32' })),
      layers: this.layerList.map((l) => l.toConfig()),
      nodes: this.nodes.map(({ node }) => ({
        layer: this.layerList.indexOf(node.layer),
        inputs: node.inputs.map((t) => index.get(t.id)!),
        options: Object.fromEntries(Object.entries(node.options).filter(([k, v]) => k !== 'training' && typeof v === 'boolean')) as Record<string, boolean>,
      })),
      outputs: this.outputs.map((t) => index.get(t.id)!),
    };
  }

  protected summaryRows(): SummaryRow[] {
    return this.nodes.map(({ node, output }) => ({
      layer: node.layer,
      outputShape: output.shape.slice(1),
      inputs: node.inputs.map((t) => t.node?.layer.name ?? t.name),
    }));
  }
}

function listOf(what: 'inputs' | 'outputs', value: unknown): SymbolicTensor[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new Error(`model: ${what} should name at least one symbolic tensor`);
  list.forEach((t, i) => {
    if (!(t instanceof SymbolicTensor)) {
      throw new TypeError(`model: ${what}${Array.isArray(value) ? `[${i}]` : ''} should be a symbolic tensor (from wg.input or layer.apply(symbolic)), got ${describe(t)}`);
    }
  });
  return list as SymbolicTensor[];
}

/** The calls between inputs and outputs, each after the calls that make its inputs (depth-first, post-order). */
function orderCalls(inputs: readonly SymbolicTensor[], outputs: readonly SymbolicTensor[]): GraphNode[] {
  const order: GraphNode[] = [];
  const done = new Set<SymbolicTensor>(inputs);
  const visiting = new Set<SymbolicTensor>();
  const visit = (t: SymbolicTensor): void => {
    if (done.has(t)) return;
    if (!t.node) {
      throw new Error(`model: the outputs depend on the input '${t.name}' ([${t.shape.map((d) => d ?? 'null').join(',')}]), which is not among the model's inputs (${inputs.map((i) => i.name).join(', ')})`);
    }
    if (visiting.has(t)) throw new Error(`model: the graph has a cycle through layer '${t.node.layer.name}'`);
    visiting.add(t);
    for (const i of t.node.inputs) visit(i);
    visiting.delete(t);
    done.add(t);
    order.push({ node: t.node, output: t });
  };
  for (const t of outputs) visit(t);
  return order;
}

/** A functional model from symbolic inputs and outputs (see wg.input and layer.apply). */
export function model(args: ModelArgs): Model {
  return new Model(args);
}

/** @internal rebuilds a functional model from its saved graph and its (new, unbuilt) layers */
export function functionalFromConfig(arch: FunctionalArchitecture, layers: Layer[], where: string): Model {
  const tensors: SymbolicTensor[] = arch.inputs.map((i) => input({ shape: i.shape, dtype: i.dtype, name: i.name }));
  try {
    for (const node of arch.nodes) {
      const inputs = node.inputs.map((i) => tensors[i]!);
      const layer = layers[node.layer]!;
      const options = { ...node.options };
      // A layer that took a list was saved with a list: multi-input layers say so by class.
      tensors.push(layer instanceof MultiInputLayer ? layer.apply(inputs, options) : layer.apply(inputs[0]!, options));
    }
    return new Model({ inputs: arch.inputs.map((_, i) => tensors[i]!), outputs: arch.outputs.map((i) => tensors[i]!), name: arch.name });
  } catch (error) {
    for (const l of layers) l.dispose();
    throw new Error(`${where}: the saved graph does not rebuild: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
