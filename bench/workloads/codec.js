// Workload 2: encode (serialize, compress, pack into a localStorage string) and decode, for CRM
// payloads of 1 KB to 4 MB: smartcache's codec against lz-string's UTF-16 form and plain JSON.
import init, { packValue, unpackValue } from 'smartcache/wasm';
import { paymentsOfSize } from '/www/crm-data.js';
import { msPerCall, utf8Bytes } from './timing.js';

const SIZES = [1024, 16 * 1024, 256 * 1024, 4 * 1024 * 1024];
const COMPRESS_ABOVE = 512;

export const libraries = ['smartcache', 'lz-string', 'JSON.stringify'];

export async function run({ library }) {
  await init();
  const LZ = globalThis.LZString;
  const contenders = {
    smartcache: {
      encode: (v) => packValue(JSON.stringify(v), COMPRESS_ABOVE),
      decode: (s) => JSON.parse(unpackValue(s)),
    },
    'lz-string': {
      encode: (v) => LZ.compressToUTF16(JSON.stringify(v)),
      decode: (s) => JSON.parse(LZ.decompressFromUTF16(s)),
    },
    'JSON.stringify': {
      encode: (v) => JSON.stringify(v),
      decode: (s) => JSON.parse(s),
    },
  };
  const rows = [];
  for (const size of SIZES) {
    const value = paymentsOfSize(size, size);
    const rawBytes = utf8Bytes(JSON.stringify(value));
    for (const [name, { encode, decode }] of Object.entries(contenders).filter(([name]) => name === library)) {
      const stored = encode(value);
      if (JSON.stringify(decode(stored)) !== JSON.stringify(value)) throw new Error(`${name} does not round-trip`);
      const minMs = size > 1e6 ? 400 : 150;
      const encodeMs = msPerCall(() => encode(value), minMs);
      const decodeMs = msPerCall(() => decode(stored), minMs);
      rows.push({
        size,
        library: name,
        rawBytes,
        storedBytes: 2 * stored.length,
        encodeMBps: rawBytes / 1e6 / (encodeMs / 1e3),
        decodeMBps: rawBytes / 1e6 / (decodeMs / 1e3),
      });
    }
  }
  return { rows };
}
