// Workload 2: encode (serialize, compress, pack into a localStorage string) and decode, for CRM
// payloads of 1 KB to 4 MB: smartcache's codec against lz-string's UTF-16 form and plain JSON.
// For each size the three take turns for several rounds in one page, so that each ratio compares
// runs made side by side; the table keeps each one's best round.
import init, { packValue, unpackValue } from 'smartcache/wasm';
import { textOfUnits, unitsOf } from '/pkg/lib/platform.js';
import { jsonUtf8 } from '/pkg/lib/json.js';
import { paymentsOfSize } from '/www/crm-data.js';
import { msPerCall, utf8Bytes } from './timing.js';

const SIZES = [1024, 16 * 1024, 256 * 1024, 4 * 1024 * 1024];
const COMPRESS_ABOVE = 512;
const ROUNDS = 5;

export async function run() {
  await init();
  const LZ = globalThis.LZString;
  const contenders = {
    smartcache: {
      // As a set hands a value over: checked, and its JSON text in UTF-8.
      encode: (v) => textOfUnits(packValue(jsonUtf8(v), COMPRESS_ABOVE)),
      // As a get reads a localStorage value: its UTF-16 units cross into the core.
      decode: (s) => JSON.parse(unpackValue(unitsOf(s))),
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
  const ratios = {};
  for (const size of SIZES) {
    const value = paymentsOfSize(size, size);
    const rawBytes = utf8Bytes(JSON.stringify(value));
    const minMs = size > 1e6 ? 400 : 150;
    const runs = {};
    for (const [name, { encode, decode }] of Object.entries(contenders)) {
      const stored = encode(value);
      if (JSON.stringify(decode(stored)) !== JSON.stringify(value)) throw new Error(`${name} does not round-trip`);
      runs[name] = { stored, encode: [], decode: [] };
    }
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, { encode, decode }] of Object.entries(contenders)) {
        runs[name].encode.push(msPerCall(() => encode(value), minMs, 1));
        runs[name].decode.push(msPerCall(() => decode(runs[name].stored), minMs, 1));
      }
    }
    const rate = (ms) => rawBytes / 1e6 / (Math.min(...ms) / 1e3);
    for (const [name, { stored, encode, decode }] of Object.entries(runs)) {
      rows.push({ size, library: name, rawBytes, storedBytes: 2 * stored.length, encodeMBps: rate(encode), decodeMBps: rate(decode) });
    }
    // Per round, lz-string's time over smartcache's (above 1: smartcache is quicker), sorted.
    const perRound = (key) => runs['lz-string'][key].map((ms, r) => ms / runs.smartcache[key][r]).sort((a, b) => a - b);
    ratios[size] = { encodeMBps: perRound('encode'), decodeMBps: perRound('decode') };
  }
  return { rounds: ROUNDS, rows, ratios };
}
