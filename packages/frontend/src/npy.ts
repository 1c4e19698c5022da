/**
 * NumPy `.npy` (format 1.0/2.0) encoding and decoding for float32/float64/int32 C-order arrays,
 * the format the reference tools read and write.
 */

export type NpyDtype = 'float32' | 'float64' | 'int32' | 'float16';

export interface NpyArray {
  data: Float32Array | Float64Array | Int32Array | Uint16Array;
  shape: number[];
  dtype: NpyDtype;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

const DESCR: Record<string, NpyDtype> = {
  '<f4': 'float32',
  '<f8': 'float64',
  '<i4': 'int32',
  '<f2': 'float16',
};
const DESCR_OF: Record<NpyDtype, string> = { float32: '<f4', float64: '<f8', int32: '<i4', float16: '<f2' };
const BYTES: Record<NpyDtype, number> = { float32: 4, float64: 8, int32: 4, float16: 2 };

export class NpyFormatError extends Error {
  constructor(source: string, problem: string) {
    super(`${source}: not a readable .npy file: ${problem}`);
    this.name = 'NpyFormatError';
  }
}

/** Decode a `.npy` file's bytes. `source` names the file in error messages. */
export function decodeNpy(bytes: Uint8Array, source = '<npy>'): NpyArray {
  if (bytes.length < 10 || MAGIC.some((m, i) => bytes[i] !== m)) {
    throw new NpyFormatError(source, 'missing the \\x93NUMPY magic');
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw new NpyFormatError(source, 'header runs past the end of the file');
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, dataStart));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined)
    throw new NpyFormatError(source, `unparsable header ${header.trim()}`);
  const dtype = DESCR[descr];
  if (!dtype) throw new NpyFormatError(source, `unsupported dtype ${descr} (expected <f4, <f8, <i4 or <f2)`);
  if (fortran === 'True') throw new NpyFormatError(source, 'Fortran-order arrays are not supported');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const byteLength = count * BYTES[dtype];
  if (dataStart + byteLength > bytes.length) {
    throw new NpyFormatError(source, `truncated: shape (${shape.join(', ')}) needs ${byteLength} data bytes`);
  }
  // Copy (through a plain Uint8Array view: a Node Buffer's slice shares memory) so the result is aligned and owned.
  const raw = new Uint8Array(bytes.buffer, bytes.byteOffset + dataStart, byteLength).slice().buffer;
  const data =
    dtype === 'float32'
      ? new Float32Array(raw)
      : dtype === 'float64'
        ? new Float64Array(raw)
        : dtype === 'int32'
          ? new Int32Array(raw)
          : new Uint16Array(raw);
  return { data, shape, dtype };
}

/** Encode a C-order array as `.npy` (format 1.0). The dtype follows the typed array unless given. */
export function encodeNpy(
  data: Float32Array | Float64Array | Int32Array | Uint16Array,
  shape: number[],
  dtype?: NpyDtype,
): Uint8Array {
  const kind: NpyDtype =
    dtype ??
    (data instanceof Float64Array
      ? 'float64'
      : data instanceof Int32Array
        ? 'int32'
        : data instanceof Uint16Array
          ? 'float16'
          : 'float32');
  const count = shape.reduce((a, b) => a * b, 1);
  if (count !== data.length)
    throw new Error(`encodeNpy: shape (${shape.join(', ')}) holds ${count} values, data has ${data.length}`);
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${DESCR_OF[kind]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad so the data starts on a 64-byte boundary, as numpy does.
  const total = 10 + header.length + 1;
  header += `${' '.repeat((64 - (total % 64)) % 64)}\n`;
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), 10 + header.length);
  return out;
}
