/**
 * A JPEG decoder that gives the very bytes libjpeg-turbo gives with its default settings, which
 * is what Pillow (`Image.open(...).convert('RGB')`, so torchvision's ImageFolder) and
 * torchvision.io decode with: the integer "slow" IDCT (jidctint.c), triangle ("fancy") chroma
 * upsampling (jdsample.c) and the integer YCbCr -> RGB tables (jdcolor.c).
 *
 * NOTE: written here rather than taken from a library: the pure-JS decoders on npm (jpeg-js,
 * pdf.js's jpg.js) use another IDCT and repeat subsampled chroma, so their pixels differ from
 * Pillow's by a few levels (mean 2.4 on a 4:2:0 photo), which a resize does not hide; the
 * libjpeg-turbo builds for WebAssembly (@jsquash/jpeg) are asynchronous and load a .wasm file
 * beside their script, which a browser bundle does not carry without configuration. The entropy
 * decoding (baseline, extended and progressive Huffman, restart intervals) follows ITU T.81; the
 * sample arithmetic follows libjpeg-turbo step by step so that every rounding is the same.
 */
import { AttnkitError, ErrorCodes } from '@attnkit/core';
import { inverseDctIslow } from './inverse-dct-islow.js';
import { type JpegColorSpace, jpegColorToRgb, upsampleComponent } from './jpeg-color.js';
import type { RgbImage } from './rgb-image.js';

export interface JpegImage extends RgbImage {
  /** The EXIF APP1 payload after `Exif\0\0` (a TIFF block), when the file has one. */
  exif?: Uint8Array;
}

interface HuffmanTable {
  /** For each 9-bit prefix: (code length << 8) | symbol, or 0 when the code is longer. */
  lookup: Uint16Array;
  /** The largest code of each length 1..16 (-1 if none), and the symbol index of its first code. */
  maxCode: Int32Array;
  offset: Int32Array;
  symbols: Uint8Array;
}

interface FrameComponent {
  id: number;
  h: number;
  v: number;
  quantIndex: number;
  /** The quantization table in natural order, latched when the component's first scan starts. */
  quant?: Uint16Array;
  /** Blocks holding image samples (libjpeg's width_in_blocks / height_in_blocks). */
  widthInBlocks: number;
  heightInBlocks: number;
  /** Blocks stored, MCU padding included. */
  blocksPerLine: number;
  blocksPerColumn: number;
  /** Samples holding the image (libjpeg's downsampled_width / downsampled_height). */
  sampleWidth: number;
  sampleHeight: number;
  coefficients: Int16Array;
  dcPredictor: number;
  dcTable?: HuffmanTable;
  acTable?: HuffmanTable;
}

interface Frame {
  progressive: boolean;
  width: number;
  height: number;
  maxH: number;
  maxV: number;
  mcusPerLine: number;
  mcusPerColumn: number;
  components: FrameComponent[];
}

/** Zig-zag position -> natural position; 16 spare entries absorb runs past 63 in a bad stream, as libjpeg's table does. */
const NATURAL_ORDER = Int32Array.from([
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45,
  38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63, ...new Array<number>(16).fill(63),
]);

const LOOKAHEAD_BITS = 9;

function corrupt(message: string): AttnkitError {
  return new AttnkitError(ErrorCodes.INVALID_FILE, `not a readable JPEG: ${message}`, {});
}

function buildHuffmanTable(counts: Uint8Array, symbols: Uint8Array): HuffmanTable {
  const maxCode = new Int32Array(18).fill(-1);
  const offset = new Int32Array(18);
  const lookup = new Uint16Array(1 << LOOKAHEAD_BITS);
  let code = 0;
  let index = 0;
  for (let length = 1; length <= 16; length++) {
    offset[length] = index - code;
    const count = counts[length - 1];
    for (let i = 0; i < count; i++, index++, code++) {
      if (length <= LOOKAHEAD_BITS) {
        const shift = LOOKAHEAD_BITS - length;
        for (let fill = 0; fill < 1 << shift; fill++) lookup[(code << shift) | fill] = (length << 8) | symbols[index];
      }
    }
    if (count > 0) maxCode[length] = code - 1;
    if (code > 1 << length) throw corrupt('a Huffman table has more codes than its lengths allow');
    code <<= 1;
  }
  maxCode[17] = 0x7fffffff;
  return { lookup, maxCode, offset, symbols };
}

/** Reads entropy-coded bits; at a marker it feeds zeros (libjpeg does the same for a cut stream) and stops. */
class BitReader {
  private buffer = 0;
  private count = 0;
  markerReached = false;
  constructor(
    private readonly data: Uint8Array,
    public position: number,
  ) {}

  private fill(): void {
    while (this.count <= 24) {
      let byte = 0;
      if (!this.markerReached && this.position < this.data.length) {
        byte = this.data[this.position];
        if (byte === 0xff) {
          const next = this.data[this.position + 1];
          if (next === 0x00) this.position += 2;
          else {
            this.markerReached = true;
            byte = 0;
          }
        } else this.position++;
      } else this.markerReached = true;
      this.buffer = ((this.buffer << 8) | byte) >>> 0;
      this.count += 8;
    }
  }

  bits(n: number): number {
    if (n === 0) return 0;
    if (this.count < n) this.fill();
    this.count -= n;
    return (this.buffer >>> this.count) & ((1 << n) - 1);
  }

  bit(): number {
    return this.bits(1);
  }

  /** A value of `n` bits in JPEG's sign convention (F.2.2.1 EXTEND). */
  extend(n: number): number {
    if (n === 0) return 0;
    const value = this.bits(n);
    return value < 1 << (n - 1) ? value - (1 << n) + 1 : value;
  }

  decode(table: HuffmanTable): number {
    if (this.count < 16) this.fill();
    const peek = (this.buffer >>> (this.count - LOOKAHEAD_BITS)) & ((1 << LOOKAHEAD_BITS) - 1);
    const entry = table.lookup[peek];
    if (entry !== 0) {
      this.count -= entry >> 8;
      return entry & 0xff;
    }
    let code = 0;
    for (let length = 1; length <= 16; length++) {
      code = (code << 1) | this.bit();
      if (code <= table.maxCode[length]) return table.symbols[table.offset[length] + code];
    }
    throw corrupt('a Huffman code matches no table entry');
  }

  /** Drops the bits left of a byte and steps over the restart marker that must follow. */
  restart(expected: number): void {
    this.buffer = 0;
    this.count = 0;
    this.markerReached = false;
    while (this.position < this.data.length && this.data[this.position] === 0xff && this.data[this.position + 1] === 0xff) this.position++;
    if (this.data[this.position] !== 0xff || this.data[this.position + 1] !== 0xd0 + expected) {
      throw corrupt(`expected restart marker RST${expected} at byte ${this.position}`);
    }
    this.position += 2;
  }
}

/** Decodes one scan's entropy-coded segment into the components' coefficients. */
function decodeScan(
  data: Uint8Array,
  start: number,
  frame: Frame,
  scanComponents: FrameComponent[],
  restartInterval: number,
  spectralStart: number,
  spectralEnd: number,
  approximationHigh: number,
  approximationLow: number,
): number {
  const reader = new BitReader(data, start);
  let eobRun = 0;
  const progressive = frame.progressive;

  const decodeBlock = (component: FrameComponent, offset: number): void => {
    const coefficients = component.coefficients;
    if (!progressive) {
      const dcTable = component.dcTable as HuffmanTable;
      const acTable = component.acTable as HuffmanTable;
      const t = reader.decode(dcTable);
      component.dcPredictor += reader.extend(t);
      coefficients[offset] = component.dcPredictor;
      for (let k = 1; k < 64; ) {
        const rs = reader.decode(acTable);
        const s = rs & 15;
        const r = rs >> 4;
        if (s === 0) {
          if (r < 15) break;
          k += 16;
          continue;
        }
        k += r;
        coefficients[offset + NATURAL_ORDER[k]] = reader.extend(s);
        k++;
      }
      return;
    }
    if (spectralStart === 0) {
      if (approximationHigh === 0) {
        const t = reader.decode(component.dcTable as HuffmanTable);
        component.dcPredictor += reader.extend(t);
        coefficients[offset] = component.dcPredictor * (1 << approximationLow);
      } else if (reader.bit()) coefficients[offset] |= 1 << approximationLow;
      return;
    }
    const acTable = component.acTable as HuffmanTable;
    if (approximationHigh === 0) {
      if (eobRun > 0) {
        eobRun--;
        return;
      }
      for (let k = spectralStart; k <= spectralEnd; ) {
        const rs = reader.decode(acTable);
        const s = rs & 15;
        const r = rs >> 4;
        if (s === 0) {
          if (r < 15) {
            eobRun = (1 << r) - 1 + reader.bits(r);
            break;
          }
          k += 16;
          continue;
        }
        k += r;
        coefficients[offset + NATURAL_ORDER[k]] = reader.extend(s) * (1 << approximationLow);
        k++;
      }
      return;
    }
    // Successive approximation refinement of AC coefficients (libjpeg's decode_mcu_AC_refine).
    const plus = 1 << approximationLow;
    const minus = -1 << approximationLow;
    let k = spectralStart;
    const refine = (position: number): void => {
      const value = coefficients[position];
      if (reader.bit() && (value & plus) === 0) coefficients[position] = value >= 0 ? value + plus : value + minus;
    };
    if (eobRun === 0) {
      for (; k <= spectralEnd; k++) {
        const rs = reader.decode(acTable);
        let r = rs >> 4;
        let s = rs & 15;
        if (s !== 0) {
          if (s !== 1) throw corrupt('a refinement scan codes a coefficient of more than one bit');
          s = reader.bit() ? plus : minus;
        } else if (r !== 15) {
          eobRun = (1 << r) + reader.bits(r);
          break;
        }
        do {
          const position = offset + NATURAL_ORDER[k];
          if (coefficients[position] !== 0) refine(position);
          else if (--r < 0) break;
          k++;
        } while (k <= spectralEnd);
        if (s !== 0) coefficients[offset + NATURAL_ORDER[k]] = s;
      }
    }
    if (eobRun > 0) {
      for (; k <= spectralEnd; k++) {
        const position = offset + NATURAL_ORDER[k];
        if (coefficients[position] !== 0) refine(position);
      }
      eobRun--;
    }
  };

  const single = scanComponents.length === 1;
  const units = single
    ? scanComponents[0].widthInBlocks * scanComponents[0].heightInBlocks
    : frame.mcusPerLine * frame.mcusPerColumn;
  let restartIndex = 0;
  for (let unit = 0; unit < units; unit++) {
    if (restartInterval > 0 && unit > 0 && unit % restartInterval === 0) {
      reader.restart(restartIndex);
      restartIndex = (restartIndex + 1) & 7;
      eobRun = 0;
      for (const component of scanComponents) component.dcPredictor = 0;
    }
    if (single) {
      const component = scanComponents[0];
      const row = Math.floor(unit / component.widthInBlocks);
      const column = unit % component.widthInBlocks;
      decodeBlock(component, (row * component.blocksPerLine + column) * 64);
    } else {
      const mcuRow = Math.floor(unit / frame.mcusPerLine);
      const mcuColumn = unit % frame.mcusPerLine;
      for (const component of scanComponents) {
        for (let y = 0; y < component.v; y++) {
          for (let x = 0; x < component.h; x++) {
            const row = mcuRow * component.v + y;
            const column = mcuColumn * component.h + x;
            decodeBlock(component, (row * component.blocksPerLine + column) * 64);
          }
        }
      }
    }
  }
  // The segment ends at the next marker (fill bytes 0xFF may precede it).
  let position = reader.position;
  while (position + 1 < data.length && !(data[position] === 0xff && data[position + 1] !== 0 && data[position + 1] !== 0xff)) position++;
  return position;
}

function readUint16(data: Uint8Array, position: number): number {
  if (position + 2 > data.length) throw corrupt('the file ends inside a marker segment');
  return (data[position] << 8) | data[position + 1];
}

function startsWith(data: Uint8Array, position: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (data[position + i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * Decodes a JPEG file to 8-bit RGB as libjpeg-turbo does by default, then as Pillow's
 * `convert('RGB')` does: grey pictures repeat their one channel; CMYK (and Adobe's YCCK, which
 * libjpeg turns into CMYK) is read with Adobe's inverted polarity and converted by Pillow's
 * formula. `checkSize` sees the dimensions before any pixel is allocated. Throws AttnkitError
 * INVALID_FILE for a corrupt or unsupported file (arithmetic coding, 12-bit samples, lossless).
 */
export function decodeJpeg(data: Uint8Array, checkSize: (width: number, height: number) => void = () => {}): JpegImage {
  if (data[0] !== 0xff || data[1] !== 0xd8) throw corrupt('no SOI marker at the start');
  const quantTables: Array<Uint16Array | undefined> = [];
  const dcTables: Array<HuffmanTable | undefined> = [];
  const acTables: Array<HuffmanTable | undefined> = [];
  let frame: Frame | undefined;
  let restartInterval = 0;
  let exif: Uint8Array | undefined;
  let sawJfif = false;
  let adobeTransform: number | undefined;
  let position = 2;
  for (;;) {
    while (position < data.length && data[position] !== 0xff) position++;
    while (position < data.length && data[position] === 0xff) position++;
    if (position >= data.length) throw corrupt('the file ends before its EOI marker (truncated?)');
    const marker = data[position++];
    if (marker === 0xd9) break;
    if (marker >= 0xd0 && marker <= 0xd7) continue;
    const length = readUint16(data, position);
    const end = position + length;
    if (length < 2 || end > data.length) throw corrupt(`marker 0xFF${marker.toString(16).toUpperCase()} runs past the end of the file (truncated?)`);
    const body = position + 2;
    switch (marker) {
      case 0xe0:
        if (startsWith(data, body, 'JFIF\0')) sawJfif = true;
        break;
      case 0xe1:
        if (exif === undefined && startsWith(data, body, 'Exif\0')) exif = data.subarray(body + 6, end);
        break;
      case 0xee:
        if (startsWith(data, body, 'Adobe') && end - body >= 12) adobeTransform = data[body + 11];
        break;
      case 0xdb: {
        for (let p = body; p < end; ) {
          const precision = data[p] >> 4;
          const index = data[p] & 15;
          if (index > 3) throw corrupt(`quantization table index ${index} (0..3 allowed)`);
          const table = new Uint16Array(64);
          p++;
          for (let i = 0; i < 64; i++) {
            table[NATURAL_ORDER[i]] = precision === 0 ? data[p + i] : readUint16(data, p + 2 * i);
          }
          p += precision === 0 ? 64 : 128;
          quantTables[index] = table;
        }
        break;
      }
      case 0xc4: {
        for (let p = body; p < end; ) {
          const tableClass = data[p] >> 4;
          const index = data[p] & 15;
          if (index > 3 || tableClass > 1) throw corrupt(`Huffman table class ${tableClass} index ${index}`);
          const counts = data.subarray(p + 1, p + 17);
          const total = counts.reduce((sum, count) => sum + count, 0);
          if (p + 17 + total > end) throw corrupt('a Huffman table runs past its segment');
          const table = buildHuffmanTable(counts, data.subarray(p + 17, p + 17 + total));
          (tableClass === 0 ? dcTables : acTables)[index] = table;
          p += 17 + total;
        }
        break;
      }
      case 0xdd:
        restartInterval = readUint16(data, body);
        break;
      case 0xc0:
      case 0xc1:
      case 0xc2: {
        if (frame !== undefined) throw corrupt('more than one frame header');
        if (data[body] !== 8) throw corrupt(`${data[body]}-bit samples (only 8-bit JPEG is supported)`);
        const height = readUint16(data, body + 1);
        const width = readUint16(data, body + 3);
        const count = data[body + 5];
        if (width === 0 || height === 0) throw corrupt(`a frame of ${width} x ${height} pixels (a height given later by DNL is not supported)`);
        if (count !== 1 && count !== 3 && count !== 4) throw corrupt(`${count} colour components (greyscale, 3-component colour and CMYK are supported)`);
        checkSize(width, height);
        const components: FrameComponent[] = [];
        for (let i = 0; i < count; i++) {
          const p = body + 6 + i * 3;
          const h = data[p + 1] >> 4;
          const v = data[p + 1] & 15;
          if (h < 1 || h > 4 || v < 1 || v > 4) throw corrupt(`sampling factors ${h}x${v}`);
          components.push({ id: data[p], h, v, quantIndex: data[p + 2], widthInBlocks: 0, heightInBlocks: 0, blocksPerLine: 0, blocksPerColumn: 0, sampleWidth: 0, sampleHeight: 0, coefficients: new Int16Array(0), dcPredictor: 0 });
        }
        const maxH = Math.max(...components.map((c) => c.h));
        const maxV = Math.max(...components.map((c) => c.v));
        const mcusPerLine = Math.ceil(width / (8 * maxH));
        const mcusPerColumn = Math.ceil(height / (8 * maxV));
        for (const component of components) {
          component.sampleWidth = Math.ceil((width * component.h) / maxH);
          component.sampleHeight = Math.ceil((height * component.v) / maxV);
          component.widthInBlocks = Math.ceil(component.sampleWidth / 8);
          component.heightInBlocks = Math.ceil(component.sampleHeight / 8);
          component.blocksPerLine = mcusPerLine * component.h;
          component.blocksPerColumn = mcusPerColumn * component.v;
          component.coefficients = new Int16Array(component.blocksPerLine * component.blocksPerColumn * 64);
        }
        frame = { progressive: marker === 0xc2, width, height, maxH, maxV, mcusPerLine, mcusPerColumn, components };
        break;
      }
      case 0xc3:
      case 0xc5:
      case 0xc6:
      case 0xc7:
      case 0xc9:
      case 0xca:
      case 0xcb:
      case 0xcd:
      case 0xce:
      case 0xcf:
        throw corrupt(`frame type SOF${marker - 0xc0} (lossless, hierarchical or arithmetic-coded JPEG is not supported; baseline, extended and progressive Huffman are)`);
      case 0xda: {
        if (frame === undefined) throw corrupt('a scan before the frame header');
        const count = data[body];
        const scanComponents: FrameComponent[] = [];
        for (let i = 0; i < count; i++) {
          const id = data[body + 1 + i * 2];
          const tables = data[body + 2 + i * 2];
          const component = frame.components.find((c) => c.id === id);
          if (component === undefined) throw corrupt(`a scan names component ${id}, which the frame lacks`);
          component.dcTable = dcTables[tables >> 4];
          component.acTable = acTables[tables & 15];
          component.dcPredictor = 0;
          if (component.quant === undefined) {
            component.quant = quantTables[component.quantIndex];
            if (component.quant === undefined) throw corrupt(`quantization table ${component.quantIndex} is not defined`);
          }
          scanComponents.push(component);
        }
        const p = body + 1 + count * 2;
        const spectralStart = data[p];
        const spectralEnd = data[p + 1];
        const approximationHigh = data[p + 2] >> 4;
        const approximationLow = data[p + 2] & 15;
        for (const component of scanComponents) {
          const needsDc = !frame.progressive || (spectralStart === 0 && approximationHigh === 0);
          const needsAc = !frame.progressive || spectralStart > 0;
          if ((needsDc && component.dcTable === undefined) || (needsAc && component.acTable === undefined)) {
            throw corrupt(`a scan uses a Huffman table that is not defined (component ${component.id})`);
          }
        }
        position = decodeScan(data, end, frame, scanComponents, restartInterval, spectralStart, frame.progressive ? spectralEnd : 63, approximationHigh, approximationLow);
        continue;
      }
      default:
        break;
    }
    position = end;
  }
  if (frame === undefined) throw corrupt('no frame header');
  const { width, height } = frame;
  const planes = frame.components.map((component) => {
    if (component.quant === undefined) throw corrupt(`component ${component.id} has no scan`);
    const samples = inverseDctIslow(component.coefficients, component.quant, component.blocksPerLine, component.widthInBlocks, component.heightInBlocks);
    return upsampleComponent(samples, component.widthInBlocks * 8, component.sampleWidth, component.sampleHeight, frame.maxH / component.h, frame.maxV / component.v, width, height);
  });
  const colorSpace = planes.length === 1 ? 'grayscale' : jpegColorSpace(sawJfif, adobeTransform, frame.components);
  return { width, height, data: jpegColorToRgb(planes, colorSpace, width * height), ...(exif === undefined ? {} : { exif }) };
}

/** libjpeg's guess of a colour file's colour space (jdapimin.c default_decompress_parms). */
function jpegColorSpace(sawJfif: boolean, adobeTransform: number | undefined, components: FrameComponent[]): JpegColorSpace {
  if (components.length === 4) return adobeTransform === 0 || adobeTransform === undefined ? 'cmyk' : 'ycck';
  if (sawJfif) return 'ycbcr';
  if (adobeTransform !== undefined) return adobeTransform === 0 ? 'rgb' : 'ycbcr';
  const [a, b, c] = components.map((component) => component.id);
  return a === 0x52 && b === 0x47 && c === 0x42 ? 'rgb' : 'ycbcr';
}
