/**
 * Builds a real ONNX model in memory for tests: `y = x · weights + bias` over a float32 input `[N, k]`, output
 * `[N, 1]` (the shape a scikit-learn regressor exported with skl2onnx has). onnxruntime runs it like any other
 * model, and its answer is known exactly, so a test can check that serving fed it the features it reported.
 * Only the handful of ONNX protobuf fields such a graph needs are encoded (field numbers from onnx.proto3).
 */

export interface LinearModelOptions {
  weights: readonly number[]
  bias: number
  /** Input tensor name. Default `input`. */
  input?: string
  /** Output tensor name. Default `variable` (skl2onnx's). */
  output?: string
}

/**
 * The bytes of an ONNX model computing `x · weights + bias`.
 *
 * @example
 * await writeFile(join(dir, 'model.onnx'), linearOnnxModel({ weights: [60, 0.5], bias: 30 }))
 */
export function linearOnnxModel(options: LinearModelOptions): Uint8Array {
  const { weights, bias, input = 'input', output = 'variable' } = options
  const k = weights.length
  const graph = concat(
    field(1, node([input, 'W'], ['xw'], 'MatMul')),
    field(1, node(['xw', 'B'], [output], 'Add')),
    field(2, text('linear')),
    field(5, tensor('W', [k, 1], weights)),
    field(5, tensor('B', [1], [bias])),
    field(11, valueInfo(input, ['N', k])),
    field(12, valueInfo(output, ['N', 1])),
  )
  return concat(
    varintField(1, 8), // ir_version
    field(2, text('freshet-tests')), // producer_name
    field(7, graph),
    field(8, concat(field(1, text('')), varintField(2, 13))), // opset_import: default domain, opset 13
  )
}

function node(inputs: readonly string[], outputs: readonly string[], opType: string): Uint8Array {
  return concat(
    ...inputs.map((i) => field(1, text(i))),
    ...outputs.map((o) => field(2, text(o))),
    field(3, text(`${opType.toLowerCase()}_0`)),
    field(4, text(opType)),
  )
}

function tensor(name: string, dims: readonly number[], values: readonly number[]): Uint8Array {
  const floats = new Uint8Array(values.length * 4)
  const view = new DataView(floats.buffer)
  values.forEach((v, i) => {
    view.setFloat32(i * 4, v, true)
  })
  return concat(
    ...dims.map((d) => varintField(1, d)),
    varintField(2, 1), // FLOAT
    field(4, floats), // float_data, packed
    field(8, text(name)),
  )
}

function valueInfo(name: string, shape: readonly (number | string)[]): Uint8Array {
  const dims = shape.map((d) => field(1, typeof d === 'number' ? varintField(1, d) : field(2, text(d))))
  const tensorType = concat(varintField(1, 1), field(2, concat(...dims)))
  return concat(field(1, text(name)), field(2, field(1, tensorType)))
}

function text(s: string): Uint8Array {
  return new TextEncoder().encode(s)
}

function varint(n: number): Uint8Array {
  const bytes: number[] = []
  let v = n
  while (v > 0x7f) {
    bytes.push((v & 0x7f) | 0x80)
    v = Math.floor(v / 128)
  }
  bytes.push(v)
  return Uint8Array.from(bytes)
}

function varintField(fieldNumber: number, value: number): Uint8Array {
  return concat(varint(fieldNumber << 3), varint(value))
}

/** A length-delimited field (wire type 2). */
function field(fieldNumber: number, payload: Uint8Array): Uint8Array {
  return concat(varint((fieldNumber << 3) | 2), varint(payload.length), payload)
}

function concat(...parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let offset = 0
  for (const p of parts) {
    out.set(p, offset)
    offset += p.length
  }
  return out
}
