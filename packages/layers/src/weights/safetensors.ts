/**
 * safetensors (https://github.com/huggingface/safetensors) in pure TypeScript: an 8-byte little-endian
 * header length, a JSON header `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}`,
 * then the little-endian tensor bytes. Reads F32, F16 and BF16 (to float32); writes F32.
 */

export interface FloatTensor {
  shape: number[];
  data: Float32Array;
}

export type TensorMap = Map<string, FloatTensor>;

interface HeaderEntry {
  dtype: string;
  shape: number[];
  data_offsets: [number, number];
}

const BYTES: Record<string, number> = { F32: 4, F16: 2, BF16: 2 };

/** float16 bits → number. */
function halfToFloat(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}

function decode(bytes: Uint8Array, dtype: string, count: number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(count);
  if (dtype === 'F32') {
    for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  } else if (dtype === 'F16') {
    for (let i = 0; i < count; i++) out[i] = halfToFloat(view.getUint16(i * 2, true));
  } else {
    const word = new DataView(new ArrayBuffer(4));
    for (let i = 0; i < count; i++) {
      word.setUint32(0, view.getUint16(i * 2, true) << 16);
      out[i] = word.getFloat32(0);
    }
  }
  return out;
}

/** The JSON header of safetensors bytes and where the data starts. */
function parseHeader(bytes: Uint8Array, source: string) {
  const fail = (what: string): never => {
    throw new Error(`${source}: ${what}`);
  };
  if (bytes.byteLength < 8) fail('too short for a safetensors header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  if (8 + headerLength > bytes.byteLength)
    fail(`header length ${headerLength} exceeds the file size ${bytes.byteLength}`);
  let header: Record<string, HeaderEntry | Record<string, string>>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch (error) {
    return fail(`header is not valid JSON (${(error as Error).message})`);
  }
  return { header, dataStart: 8 + headerLength, fail };
}

/** The `__metadata__` strings of safetensors bytes (empty when there are none). */
export function readSafetensorsMetadata(
  bytes: Uint8Array,
  source = 'safetensors data',
): Record<string, string> {
  return (parseHeader(bytes, source).header.__metadata__ as Record<string, string> | undefined) ?? {};
}

/** Parses safetensors bytes; `source` (e.g. the file name) is named in errors. */
export function readSafetensors(bytes: Uint8Array, source = 'safetensors data'): TensorMap {
  const { header, dataStart, fail } = parseHeader(bytes, source);
  const tensors: TensorMap = new Map();
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const entry = value as HeaderEntry;
    const width = BYTES[entry.dtype];
    if (!width) fail(`tensor "${name}" has dtype ${entry.dtype}; only F32, F16 and BF16 are supported`);
    const count = entry.shape.reduce((a, b) => a * b, 1);
    const [begin, end] = entry.data_offsets;
    if (end - begin !== count * width || dataStart + end > bytes.byteLength) {
      fail(
        `tensor "${name}" [${entry.shape.join(', ')}] ${entry.dtype}: data offsets [${begin}, ${end}] do not fit`,
      );
    }
    tensors.set(name, {
      shape: [...entry.shape],
      data: decode(bytes.subarray(dataStart + begin, dataStart + end), entry.dtype, count),
    });
  }
  return tensors;
}

/** Serialises float32 tensors (in map order) to safetensors bytes, with optional string metadata. */
export function writeSafetensors(tensors: TensorMap, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  let offset = 0;
  for (const [name, tensor] of tensors) {
    const count = tensor.shape.reduce((a, b) => a * b, 1);
    if (count !== tensor.data.length) {
      throw new Error(
        `writeSafetensors: "${name}" has ${tensor.data.length} values for shape [${tensor.shape.join(', ')}]`,
      );
    }
    header[name] = { dtype: 'F32', shape: tensor.shape, data_offsets: [offset, offset + count * 4] };
    offset += count * 4;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + new TextEncoder().encode(json).length) % 8)) % 8); // align the data to 8 bytes
  const headerBytes = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + headerBytes.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes.length), true);
  out.set(headerBytes, 8);
  let position = 8 + headerBytes.length;
  for (const tensor of tensors.values()) {
    for (let i = 0; i < tensor.data.length; i++) view.setFloat32(position + i * 4, tensor.data[i], true);
    position += tensor.data.length * 4;
  }
  return out;
}
