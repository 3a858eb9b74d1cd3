/**
 * The graph under construction: typed symbolic tensors, ONNX nodes, constants and parameters.
 * Every network of the product is written against this builder once; `onnx.ts` serialises it
 * either with parameters baked in (inference) or as inputs (train step, see `train-step.ts`).
 */

export type FloatType = 'float32' | 'float64';
export type DType = FloatType | 'int64' | 'bool';
/** A dimension: a number when static, a name when it varies between runs (the batch, say). */
export type Dim = number | string;
export type Shape = readonly Dim[];

/** A float-valued attribute (a bare number is an int attribute). */
export class F {
  constructor(readonly v: number) {}
}
export type AttrValue = number | number[] | string | F;
export type Attrs = Record<string, AttrValue>;

export class T {
  constructor(
    readonly g: Graph,
    /** Fixed once made, except that Graph.output may give a node's result its output name. */
    public name: string,
    readonly dtype: DType,
    readonly shape: Shape,
  ) {}
  get rank(): number {
    return this.shape.length;
  }
}

export interface Node {
  op: string;
  inputs: (T | null)[];
  outputs: T[];
  attrs: Attrs;
}

/** How a parameter is initialised by the trainer (seeded) before the first step. */
export type Init = { kind: 'normal'; std: number } | { kind: 'uniform'; bound: number } | { kind: 'const'; value: number };

export interface ParamSpec {
  name: string;
  shape: number[];
  init: Init;
  /** AdamW weight decay applies to matrices, not to biases, norms or scalars. */
  decay: boolean;
}

export type TypedData = Float32Array | Float64Array | BigInt64Array | Uint8Array;

export interface ConstData {
  dtype: DType;
  shape: number[];
  data: TypedData;
}

export class Graph {
  readonly nodes: Node[] = [];
  readonly inputs: T[] = [];
  readonly outputs: T[] = [];
  readonly constants = new Map<string, ConstData>();
  readonly params: { spec: ParamSpec; t: T }[] = [];
  private readonly names = new Set<string>();
  private readonly constCache = new Map<string, T>();
  private counter = 0;

  constructor(readonly float: FloatType = 'float32') {}

  /** A unique tensor name derived from `hint`. */
  fresh(hint: string): string {
    let name = hint;
    while (this.names.has(name)) name = `${hint}_${++this.counter}`;
    this.names.add(name);
    return name;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`graph: the name "${name}" is already used`);
    this.names.add(name);
    return name;
  }

  input(name: string, dtype: DType, shape: Shape): T {
    const t = new T(this, this.claim(name), dtype, shape);
    this.inputs.push(t);
    return t;
  }

  /**
   * A trainable parameter; the graph reads it as an input of the same name. Declaring a name again
   * returns the same parameter (weight sharing: one denoiser applied at every DDIM step).
   */
  param(name: string, shape: number[], init: Init, decay = shape.length >= 2): T {
    const known = this.params.find((p) => p.spec.name === name);
    if (known) {
      if (known.spec.shape.join() !== shape.join()) throw new Error(`graph: parameter ${name} is [${known.spec.shape}], not [${shape}]`);
      return known.t;
    }
    const t = this.input(name, this.float, shape);
    this.params.push({ spec: { name, shape, init, decay }, t });
    return t;
  }

  /**
   * Marks `t` as a graph output called `name`. A node result that is no output yet is renamed in
   * place; inputs, constants and tensors already output get an Identity (a copy) instead.
   */
  output(t: T, name?: string): T {
    let out = t;
    if (name && name !== t.name) {
      const renamable = !this.inputs.includes(t) && !this.constants.has(t.name) && !this.outputs.includes(t);
      if (renamable) {
        this.claim(name);
        this.names.delete(t.name);
        t.name = name;
      } else out = this.node('Identity', [t], [t], {}, name)[0];
    }
    this.outputs.push(out);
    return out;
  }

  /** A constant tensor of the graph's float type (or `dtype`), shared when repeated. */
  constant(values: ArrayLike<number>, shape: number[], dtype: DType = this.float): T {
    const key = `${dtype}|${shape.join(',')}|${values.length <= 16 ? Array.from(values).join(',') : ''}`;
    const cached = values.length <= 16 ? this.constCache.get(key) : undefined;
    if (cached) return cached;
    const data =
      dtype === 'float32'
        ? Float32Array.from(values)
        : dtype === 'float64'
          ? Float64Array.from(values)
          : dtype === 'int64'
            ? BigInt64Array.from(Array.from(values, (v) => BigInt(v)))
            : Uint8Array.from(values);
    const t = new T(this, this.fresh('const'), dtype, shape);
    this.constants.set(t.name, { dtype, shape, data });
    if (values.length <= 16) this.constCache.set(key, t);
    return t;
  }

  scalar(v: number): T {
    return this.constant([v], []);
  }

  ints(v: number[]): T {
    return this.constant(v, [v.length], 'int64');
  }

  /** Appends a node; `outs` gives each output's type and shape (a T is read for both). */
  node(op: string, inputs: (T | null)[], outs: { dtype: DType; shape: Shape }[], attrs: Attrs = {}, name?: string): T[] {
    for (const i of inputs) if (i && i.g !== this) throw new Error(`graph: ${op} mixes tensors of two graphs`);
    const outputs = outs.map((o, k) => new T(this, name && k === 0 ? this.claim(name) : this.fresh(op.toLowerCase()), o.dtype, o.shape));
    this.nodes.push({ op, inputs, outputs, attrs });
    return outputs;
  }
}
