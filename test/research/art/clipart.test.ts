import path from 'path';
import { cleanTitle, parseClipArtMeta, readClipArt } from '../../../research/art/clipart';

const FIXTURE = path.join(__dirname, '..', '..', 'fixtures', 'art', 'openclipart', 'svg');

/** The cleaned title, or the reason it was dropped. */
const clean = (raw: string, author: string | null = null): string => {
  const r = cleanTitle(raw, author);
  return 'title' in r ? r.title : `dropped: ${r.dropped}`;
};

describe('parseClipArtMeta', () => {
  // As food/apple_bitten_dan_gerhard_01.svg writes it: the publisher's and the creator's dc:title come after.
  const svg = `<svg><metadata><rdf:RDF><cc:Work rdf:about="">
    <dc:title>Apple Bitten</dc:title>
    <dc:subject><rdf:Bag><rdf:li>food</rdf:li><rdf:li>apple</rdf:li><rdf:li></rdf:li></rdf:Bag></dc:subject>
    <dc:publisher><cc:Agent rdf:about="http://www.openclipart.org/"><dc:title>Open Clip Art Library</dc:title></cc:Agent></dc:publisher>
    <dc:creator><cc:Agent><dc:title>Dan Gerhards</dc:title></cc:Agent></dc:creator>
    </cc:Work></rdf:RDF></metadata></svg>`;

  it('takes the Work’s own title, its keywords and the creator', () => {
    expect(parseClipArtMeta(svg)).toEqual({ title: 'Apple Bitten', keywords: ['food', 'apple'], author: 'Dan Gerhards' });
  });

  it('does not take the publisher’s title when the Work has none, or an empty one', () => {
    expect(parseClipArtMeta(svg.replace('<dc:title>Apple Bitten</dc:title>', '')).title).toBeNull();
    expect(parseClipArtMeta(svg.replace('Apple Bitten', '')).title).toBeNull();
  });

  it('decodes entities and drops an address after the author’s name', () => {
    const m = parseClipArtMeta(svg.replace('Apple Bitten', 'Gelato all&#39;italiana').replace('Dan Gerhards', 'Mitchell Johnson &lt;silverninja.net/~mitchell>'));
    expect(m.title).toBe("Gelato all'italiana");
    expect(m.author).toBe('Mitchell Johnson');
  });

  it('finds nothing in an SVG without metadata', () => {
    expect(parseClipArtMeta('<svg width="1" height="1"/>')).toEqual({ title: null, keywords: [], author: null });
  });
});

describe('cleanTitle', () => {
  it('lower-cases and turns underscores, hyphens and punctuation into single spaces', () => {
    expect(clean('AIGA_Symbol_Signs')).toBe('aiga symbol signs');
    expect(clean('congo-brazzaville')).toBe('congo brazzaville');
    expect(clean('coffe,Tea?')).toBe('coffe tea');
    expect(clean('Drinking Glass, with Red Punch')).toBe('drinking glass with red punch');
    expect(clean("Gelato all'italiana")).toBe("gelato all'italiana");
  });

  it('splits camelCase, not capitals or a single letter', () => {
    expect(clean('BypassLopper')).toBe('bypass lopper');
    expect(clean('MatieresNocivesIrritantes')).toBe('matieres nocives irritantes');
    expect(clean('video cassette VHS')).toBe('video cassette vhs');
    expect(clean('NinJa Tux')).toBe('ninja tux');
  });

  it('removes trailing numbers and versions, not inner ones or short names', () => {
    expect(clean('magnifying glass 4')).toBe('magnifying glass');
    expect(clean('Tigre05')).toBe('tigre');
    expect(clean('bee2')).toBe('bee');
    expect(clean('horse#1')).toBe('horse');
    expect(clean('Dog 01 Drawn With Straight Lines')).toBe('dog 01 drawn with straight lines');
    expect(clean('circles 4 pattern')).toBe('circles 4 pattern');
    expect(clean('mp3')).toBe('mp3');
  });

  it('removes the author from a title, and drops a title that is only the author', () => {
    expect(clean('Clipart by Nicu Buculei - beer', 'Nicu Buculei')).toBe('beer');
    expect(clean('SVG Gradient Collection by Alan Horkan, 2004.', 'Alan Horkan')).toBe('svg gradient collection');
    expect(clean('Architetto Francesco Rollandin', 'Architetto Francesco Rollandin')).toBe('dropped: title is only an author name');
  });

  it('cleans a file name: extension, number suffix, author cut short', () => {
    expect(cleanTitle('apple_bitten_dan_gerhard_01.svg', 'Dan Gerhards')).toEqual({
      title: 'apple bitten',
      changes: expect.arrayContaining(['file extension', 'number suffix', 'author name', 'underscores']),
    });
    expect(clean('tacchino_architetto_fran_01.svg', 'Architetto Francesco Rollandin')).toBe('tacchino');
    expect(clean('wing_mitchell_johnson_si_.svg', 'Mitchell Johnson')).toBe('wing');
    expect(clean('pear_jean-victor_balin_01r.svg', 'Jean-VIctor Balin')).toBe('pear');
    expect(clean('closed_box_juliane_krug_r.svg', 'Juliane Krug')).toBe('closed box');
    expect(clean('cake1_jarno_vasamaa_01.svg', 'Jarno Vasamaa')).toBe('cake');
    expect(clean('bowl_chaspo_.svg', null)).toBe('bowl chaspo');
    expect(clean('sheep-md-v0.1.svg', null)).toBe('sheep md');
  });

  it('spells out the black-and-white mark', () => {
    expect(clean('Bottled Drink (B and W)')).toBe('bottled drink black and white');
    expect(clean('flan_bw')).toBe('flan black and white');
    expect(clean('B_W Tiger')).toBe('black and white tiger');
  });

  it('drops what is no name, with a reason', () => {
    expect(clean('')).toBe('dropped: no title');
    expect(clean('2004')).toBe('dropped: no latin letters');
    expect(clean('白猫')).toBe('dropped: no latin letters');
    expect(clean('Part of the Flat Icon Collection (Wed Aug 25 23:29:46 2004)')).toBe('dropped: too long');
    expect(clean('L&Atilde;&copy;zard')).toBe('dropped: garbled characters');
    expect(clean('ralf@ark.in-berlin.de')).toBe('dropped: an address, not a title');
  });
});

describe('readClipArt', () => {
  const { items, log } = readClipArt(FIXTURE);
  const byName = new Map(items.map((c) => [path.basename(c.file), c]));

  it('reads every drawing once, sorted by path, with its category: a link or a copy of a drawing is not another drawing, a second drawing of the same title is', () => {
    expect(items.map((c) => c.file)).toEqual([...items.map((c) => c.file)].sort());
    expect(items.every((c) => path.isAbsolute(c.file))).toBe(true);
    expect(items.map((c) => [c.category, c.title])).toEqual([
      ['food/desserts', 'cake slice black and white'],
      ['food', 'red apple'],
      ['food', 'red apple'],
      ['plants', 'green tree'],
      ['shapes', 'yellow star'],
      ['transportation', 'blue car'],
      ['transportation', 'red apple'],
    ]);
  });

  it('falls back to the file name without metadata, and keeps the raw title', () => {
    expect(byName.get('green_tree_jane_doe_01.svg')).toMatchObject({ rawTitle: 'green_tree_jane_doe_01.svg', title: 'green tree', keywords: [] });
    expect(byName.get('BlueCar2.svg')?.rawTitle).toBe('BlueCar2');
  });

  it('cleans keywords: generic ones, the author, numbers and duplicates go', () => {
    expect(byName.get('yellow_star.svg')?.keywords).toEqual(['star', 'yellow star']);
    expect(byName.get('red_apple_jane_doe_01.svg')?.keywords).toEqual(['food', 'apple', 'fruit']);
  });

  it('logs counts, drops and changes', () => {
    expect(log).toMatchObject({ files: 10, kept: 7, dropped: { 'title is only an author name': 1, 'same drawing as another file': 2 } });
    expect(log.changed).toEqual({ 'b and w': 1, 'camel case': 1, 'number suffix': 2, 'file extension': 1, 'author name': 1, underscores: 1 });
    expect(log.examples).toContainEqual({ raw: 'Jane Doe', cleaned: null, reason: 'title is only an author name' });
    expect(log.examples.length).toBeLessThanOrEqual(20);
  });
});
