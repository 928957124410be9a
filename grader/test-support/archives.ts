// Archives written byte by byte for the grader's tests, so that a test can
// make what no well-behaved tool would: entry names that climb out of the
// archive or are not UTF-8, links and devices, sizes that lie. Only the
// parts of the zip and ustar formats the tests need.

import { deflateRawSync, gzipSync } from "node:zlib";

export interface ZipEntrySpec {
  /** The name as stored: any bytes. */
  readonly name: string | Buffer;
  readonly data?: Buffer | string;
  /** Stored as is, or deflated (default). */
  readonly method?: "store" | "deflate";
  /** The uncompressed size the headers declare (default: the true one). */
  readonly declaredSize?: number;
  /** A Unix st_mode (type and permission bits): the entry is then "made on Unix". */
  readonly unixMode?: number;
}

/** A zip file holding `entries`, in order. */
export function makeZip(entries: readonly ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = typeof e.name === "string" ? Buffer.from(e.name, "utf8") : e.name;
    const data = typeof e.data === "string" ? Buffer.from(e.data, "utf8") : (e.data ?? Buffer.alloc(0));
    const deflate = e.method !== "store";
    const body = deflate ? deflateRawSync(data) : data;
    const crc = crc32(data);
    const size = e.declaredSize ?? data.length;
    const utf8 = typeof e.name === "string" ? 0x0800 : 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(utf8, 6);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(e.unixMode === undefined ? 20 : (3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(utf8, 8);
    central.writeUInt16LE(deflate ? 8 : 0, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((e.unixMode ?? 0) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

export type TarType = "file" | "symlink" | "hardlink" | "chardev" | "blockdev" | "fifo" | "dir";

export interface TarEntrySpec {
  /** At most 100 bytes. */
  readonly name: string | Buffer;
  readonly type?: TarType;
  readonly data?: Buffer | string;
  /** A link's target. */
  readonly linkname?: string;
}

const TYPEFLAG: Readonly<Record<TarType, string>> = {
  file: "0",
  hardlink: "1",
  symlink: "2",
  chardev: "3",
  blockdev: "4",
  dir: "5",
  fifo: "6",
};

/** A ustar archive (not compressed) holding `entries`. */
export function makeTar(entries: readonly TarEntrySpec[]): Buffer {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const name = typeof e.name === "string" ? Buffer.from(e.name, "utf8") : e.name;
    if (name.length > 100) throw new Error(`makeTar: name longer than 100 bytes: ${name.toString()}`);
    const data = typeof e.data === "string" ? Buffer.from(e.data, "utf8") : (e.data ?? Buffer.alloc(0));
    const h = Buffer.alloc(512);
    name.copy(h, 0);
    h.write("0000644\0", 100, "ascii");
    h.write("0000000\0", 108, "ascii");
    h.write("0000000\0", 116, "ascii");
    h.write(data.length.toString(8).padStart(11, "0") + "\0", 124, "ascii");
    h.write("00000000000\0", 136, "ascii");
    h.write("        ", 148, "ascii");
    h.write(TYPEFLAG[e.type ?? "file"], 156, "ascii");
    if (e.linkname !== undefined) h.write(e.linkname, 157, "utf8");
    h.write("ustar\0" + "00", 257, "ascii");
    let sum = 0;
    for (const b of h) sum += b;
    h.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "ascii");
    blocks.push(h, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** A .tar.gz holding `entries`. */
export function makeTarGz(entries: readonly TarEntrySpec[]): Buffer {
  return gzipSync(makeTar(entries));
}

let table: Uint32Array | null = null;

function crc32(data: Buffer): number {
  if (table === null) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const b of data) crc = table[(crc ^ b) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
