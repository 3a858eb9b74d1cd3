/** ArtWorld renderings: every source drawing becomes the art, trimmed and centred, or an error. */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import sharp from 'sharp';
import { renderArt } from '../../../research/art/render';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'art-render-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const drawing = (width: string, height: string, body: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 100 100">${body}</svg>`;
const DISC = '<circle cx="50" cy="50" r="20" fill="#c03"/>';

async function render(name: string, svg: string): Promise<Buffer> {
  const file = path.join(dir, `${name}.svg`);
  fs.writeFileSync(file, svg);
  const out = path.join(dir, `${name}.png`);
  await renderArt(file, out, 48);
  return (await sharp(out).raw().toBuffer({ resolveWithObject: true })).data;
}

describe('renderArt', () => {
  test('a drawing sized in pt renders like the one sized in px: the art fills the square within a 2 px margin', async () => {
    const px = await render('px', drawing('850', '850', DISC));
    const pt = await render('pt', drawing('850pt', '850pt', DISC));
    expect(pt.length).toBe(48 * 48 * 3);
    // The disc's red reaches a few px from the edge on the middle row, and the centre is red.
    const at = (buf: Buffer, x: number, y: number) => Array.from(buf.subarray(3 * (48 * y + x), 3 * (48 * y + x) + 3));
    for (const buf of [px, pt]) {
      expect(at(buf, 24, 24)).toEqual([204, 0, 51]);
      expect(at(buf, 0, 24)).toEqual([255, 255, 255]);
      expect(at(buf, 5, 24)[1]).toBeLessThan(60);
    }
    expect(Math.max(...px.map((v, i) => Math.abs(v - pt[i])))).toBeLessThan(40);
  });

  test('a drawing that renders as one colour is an error, and no file is written', async () => {
    await expect(render('blank', drawing('64', '64', '<rect width="100" height="100" fill="#fff"/>'))).rejects.toThrow('renders as one colour');
    expect(fs.existsSync(path.join(dir, 'blank.png'))).toBe(false);
  });
});
