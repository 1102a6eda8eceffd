import { encodePng } from './png.js';

/** Options of the generated seal picture. */
export interface SealPictureOptions {
  /** Width and height in pixels. Default 200. */
  readonly size?: number;
  /** Ink colour as [r, g, b]. Default a seal red (#D7000F). */
  readonly color?: readonly [number, number, number];
}

/** The five-pointed star's ten corners around (cx, cy), first point straight up. */
function starPolygon(cx: number, cy: number, outer: number): Array<[number, number]> {
  // Ratio of a regular pentagram's inner to outer radius: sin 18° / sin 126°.
  const inner = outer * 0.381966;
  const points: Array<[number, number]> = [];
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? outer : inner;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    points.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  return points;
}

/** Even-odd rule. Index access rather than destructuring: this runs ~10⁶ times per picture. */
function insidePolygon(x: number, y: number, poly: Array<[number, number]>): boolean {
  let inside = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const pi = poly[i]!;
    const pj = poly[j]!;
    if (pi[1] > y !== pj[1] > y && x < ((pj[0] - pi[0]) * (y - pi[1])) / (pj[1] - pi[1]) + pi[0])
      inside = !inside;
  }
  return inside;
}

const dist = (x: number, y: number): number => Math.sqrt(x * x + y * y);

/**
 * A round red seal as a PNG with a transparent background: a thick outer ring and a
 * five-pointed star, like a 公安 unit seal without its lettering (rendering Chinese glyphs would
 * need a font; the seal's name travels as text in the seal structure anyway). Each pixel's alpha
 * is its coverage from 4×4 supersampling, so edges are smooth when printed small.
 */
export function drawSealPicture(options: SealPictureOptions = {}): Buffer {
  const size = options.size ?? 200;
  const [r, g, b] = options.color ?? [0xd7, 0x00, 0x0f];
  const c = size / 2;
  const ringOuter = size * 0.48;
  const ringInner = ringOuter - size * 0.05;
  const star = starPolygon(c, c * 1.03, size * 0.24);
  const SS = 4;
  const [minX, maxX] = [Math.min(...star.map((q) => q[0])), Math.max(...star.map((q) => q[0]))];
  const [minY, maxY] = [Math.min(...star.map((q) => q[1])), Math.max(...star.map((q) => q[1]))];
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      // Only pixels near an edge need supersampling; the rest are wholly ink or wholly empty.
      const d = dist(px + 0.5 - c, py + 0.5 - c);
      const nearStar = px + 1 >= minX && px <= maxX && py + 1 >= minY && py <= maxY;
      let coverage: number;
      if (!nearStar && d - 0.75 >= ringInner && d + 0.75 <= ringOuter) coverage = 1;
      else if (!nearStar && (d + 0.75 < ringInner || d - 0.75 > ringOuter)) coverage = 0;
      else {
        let hits = 0;
        for (let sy = 0; sy < SS; sy++) {
          for (let sx = 0; sx < SS; sx++) {
            const x = px + (sx + 0.5) / SS;
            const y = py + (sy + 0.5) / SS;
            const r = dist(x - c, y - c);
            if ((r <= ringOuter && r >= ringInner) || insidePolygon(x, y, star)) hits++;
          }
        }
        coverage = hits / (SS * SS);
      }
      if (coverage === 0) continue;
      const o = (py * size + px) * 4;
      rgba[o] = r;
      rgba[o + 1] = g;
      rgba[o + 2] = b;
      rgba[o + 3] = Math.round(255 * coverage);
    }
  }
  return encodePng(rgba, size, size);
}
