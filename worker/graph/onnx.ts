/**
 * Serialises a Graph to an ONNX ModelProto with the onnx-proto package. Parameters stay graph
 * inputs (train steps feed them) unless `bake` gives their values, which makes them initializers
 * (inference graphs that load like any exported model).
 */
import { onnx } from 'onnx-proto';
import { ConstData, Graph, T, TypedData } from './graph';
import { ONNX_TYPE } from './ops';

const OPSET = 18;

function valueInfo(t: T): onnx.IValueInfoProto {
  return {
    name: t.name,
    type: {
      tensorType: {
        elemType: ONNX_TYPE[t.dtype],
        shape: { dim: t.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function tensorProto(name: string, c: ConstData): onnx.ITensorProto {
  const bytes = new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength);
  return { name, dataType: ONNX_TYPE[c.dtype], dims: c.shape, rawData: bytes };
}

function attribute(name: string, v: unknown): onnx.IAttributeProto {
  const A = onnx.AttributeProto.AttributeType;
  if (typeof v === 'string') return { name, type: A.STRING, s: Buffer.from(v) };
  if (typeof v === 'number') return { name, type: A.INT, i: v };
  if (Array.isArray(v)) return { name, type: A.INTS, ints: v };
  if (v && typeof v === 'object' && 'v' in v) return { name, type: A.FLOAT, f: (v as { v: number }).v };
  throw new Error(`onnx: attribute ${name} has an unsupported value`);
}

export interface SerialiseOptions {
  /** Parameter values to store as initializers instead of inputs. */
  bake?: Map<string, TypedData>;
  docString?: string;
}

export function toOnnx(g: Graph, opts: SerialiseOptions = {}): Uint8Array {
  const bake = opts.bake ?? new Map<string, TypedData>();
  const baked = g.params.filter((p) => bake.has(p.spec.name));
  if (opts.bake && baked.length !== g.params.length) {
    const missing = g.params.filter((p) => !bake.has(p.spec.name)).map((p) => p.spec.name);
    throw new Error(`onnx: no value for parameter(s) ${missing.join(', ')}`);
  }
  const initializer = [...g.constants].map(([name, c]) => tensorProto(name, c));
  for (const p of baked) {
    const data = bake.get(p.spec.name)!;
    const size = p.spec.shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) throw new Error(`onnx: parameter ${p.spec.name} has ${data.length} values, expected ${size}`);
    initializer.push(tensorProto(p.spec.name, { dtype: g.float, shape: p.spec.shape, data }));
  }
  const bakedNames = new Set(baked.map((p) => p.spec.name));
  const model: onnx.IModelProto = {
    irVersion: 8,
    producerName: 'altbridge',
    opsetImport: [{ domain: '', version: OPSET }],
    docString: opts.docString,
    graph: {
      name: 'altbridge',
      node: g.nodes.map((n, k) => ({
        name: `${n.op}_${k}`,
        opType: n.op,
        input: n.inputs.map((i) => (i ? i.name : '')),
        output: n.outputs.map((o) => o.name),
        attribute: Object.entries(n.attrs).map(([name, v]) => attribute(name, v)),
      })),
      input: g.inputs.filter((i) => !bakedNames.has(i.name)).map(valueInfo),
      output: g.outputs.map(valueInfo),
      initializer,
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
