// Thumbnail service: resizes uploaded images on worker threads.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import * as zlib from 'node:zlib';
import sharp, { fit as fitModes } from 'sharp';
import { spawn } from 'experimental-threads';

const DEFAULT_WIDTH = 320;
const formats = ['webp', 'avif'];
let processed = 0;

function outputName(file, format) {
  return path.join(OUTPUT_DIR, `${path.basename(file, path.extname(file))}.${format}`);
}

const OUTPUT_DIR = process.env.THUMBNAIL_DIR ?? '/tmp/thumbnails';

class Resizer {
  constructor(width = DEFAULT_WIDTH) {
    this.width = width;
  }

  async resize(file) {
    const width = this.width;
    return eval(spawn(async () => {
      const input = await readFile(file);
      const results = [];
      for (const format of formats) {
        const data = await sharp(input).resize({ width, fit: fitModes.inside }).toFormat(format).toBuffer();
        await writeFile(outputName(file, format), data);
        results.push({ format, bytes: data.length });
      }
      return results;
    }));
  }
}

export async function compressAll(files, level = 6) {
  const jobs = files.map((file, index) => eval(spawn(async () => {
    const raw = await readFile(file);
    return { index, size: zlib.gzipSync(raw, { level }).length };
  })));
  processed += files.length;
  return Promise.all(jobs);
}

export default new Resizer();
