/**
 * Bytes as text for a <script> element of the page, denser than base64: 13 bits in two
 * characters of a 93-letter alphabet (printable ASCII without '<' and '&': no "</script", no
 * comment or character reference can start, no control character or CR for the HTML parser to
 * change), 6.5 bits per character against base64's 6. Written for this project.
 *
 * Bits are taken little-endian from the bytes, 13 at a time; a pair holds v % 93, then v / 93.
 * At the end, up to 12 bits remain: when at most 6, one character carries them (the decoder knows
 * how many: what completes its last byte); otherwise a pair, whose padding is under a byte.
 */
const ALPHABET = (() => {
  let out = '';
  for (let c = 0x20; c <= 0x7e; c++) if (c !== 0x3c && c !== 0x26) out += String.fromCharCode(c);
  return out;
})();
const BASE = ALPHABET.length;

export function encodeText(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < bytes.length; i++) {
    acc |= (bytes[i] as number) << bits;
    bits += 8;
    if (bits >= 13) {
      const v = acc & 8191;
      acc >>>= 13;
      bits -= 13;
      chunk += ALPHABET[v % BASE]! + ALPHABET[Math.floor(v / BASE)]!;
      if (chunk.length >= 8192) {
        parts.push(chunk);
        chunk = '';
      }
    }
  }
  if (bits > 0 && bits <= 6) chunk += ALPHABET[acc]!;
  else if (bits > 6) chunk += ALPHABET[acc % BASE]! + ALPHABET[Math.floor(acc / BASE)]!;
  parts.push(chunk);
  return parts.join('');
}

/** Each character's digit (-1: not of the alphabet), by character code below 128. */
const DIGITS = (() => {
  const value = new Int16Array(128).fill(-1);
  for (let i = 0; i < BASE; i++) value[ALPHABET.charCodeAt(i)] = i;
  return value;
})();

export function decodeText(text: string): Uint8Array<ArrayBuffer> {
  const digit = (i: number): number => {
    const code = text.charCodeAt(i);
    const v = code < 128 ? (DIGITS[code] as number) : -1;
    if (v < 0) throw new Error(`what-if data: character ${JSON.stringify(text[i])} at ${i} is not of the page's alphabet`);
    return v;
  };
  const out = new Uint8Array(Math.floor((text.length * 13) / 16) + 2);
  let length = 0;
  let acc = 0;
  let bits = 0;
  let i = 0;
  for (; i + 1 < text.length; i += 2) {
    // The digits inline; digit() only to throw its error.
    const c0 = text.charCodeAt(i);
    const c1 = text.charCodeAt(i + 1);
    const d0 = c0 < 128 ? (DIGITS[c0] as number) : -1;
    const d1 = c1 < 128 ? (DIGITS[c1] as number) : -1;
    if (d0 < 0) digit(i);
    if (d1 < 0) digit(i + 1);
    const v = d0 + d1 * BASE;
    if (v > 8191) throw new Error(`what-if data: characters at ${i} hold no 13-bit value`);
    // bits < 8 before, 13 to 20 after: one byte, then a second when 16 or more.
    acc |= v << bits;
    bits += 13;
    out[length++] = acc & 255;
    acc >>>= 8;
    bits -= 8;
    if (bits >= 8) {
      out[length++] = acc & 255;
      acc >>>= 8;
      bits -= 8;
    }
  }
  if (i < text.length) {
    // A lone last character completes the last byte.
    acc |= digit(i) << bits;
    out[length++] = acc & 255;
  }
  return out.slice(0, length);
}
