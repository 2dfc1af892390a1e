// The workbook-level parts of an XLSX file, found the way OPC says (through the
// relationship parts, not by guessing file names): the sheet list with names, order
// and visibility, the date system, which cell styles show dates, and the shared
// strings table.
import { DecodeFailed } from '../../errors.js';
import { isDateFormat } from './dates.js';
import { unescapeOoxml, XmlError, type XmlHandler, XmlTokenizer } from './xml.js';
import type { ZipArchive, ZipEntry } from './zip.js';

export interface WorksheetPart {
  name: string;
  hidden: boolean;
  /** The part holding the sheet's cells. */
  path: string;
}

export interface WorkbookParts {
  /** Worksheets in workbook order; chart, dialog and macro sheets are left out. */
  worksheets: WorksheetPart[];
  date1904: boolean;
  styles: ZipEntry | undefined;
  sharedStrings: ZipEntry | undefined;
}

/** Decodes a part's bytes as text: UTF-8 (with or without BOM) or UTF-16 with a BOM, as XML allows. */
export async function* xmlText(chunks: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<string> {
  let decoder: TextDecoder | null = null;
  for await (const chunk of chunks) {
    if (!decoder) {
      const encoding = chunk[0] === 0xff && chunk[1] === 0xfe ? 'utf-16le' : chunk[0] === 0xfe && chunk[1] === 0xff ? 'utf-16be' : 'utf-8';
      decoder = new TextDecoder(encoding);
    }
    const text = decoder.decode(chunk, { stream: true });
    if (text.length > 0) yield text;
  }
  const rest = decoder?.decode() ?? '';
  if (rest.length > 0) yield rest;
}

export function malformedXml(what: string, error: XmlError, where: Record<string, unknown>): DecodeFailed {
  const at = typeof where.row === 'number' ? ` near row ${where.row}` : '';
  return new DecodeFailed(`XLSX: malformed XML in ${what}${at}: ${error.message}`, where);
}

async function parsePart(archive: ZipArchive, entry: ZipEntry, handler: XmlHandler, what: string): Promise<void> {
  const tokenizer = new XmlTokenizer(handler);
  try {
    for await (const text of xmlText(archive.chunks(entry))) tokenizer.write(text);
    tokenizer.end();
  } catch (error) {
    if (error instanceof XmlError) throw malformedXml(what, error, { part: entry.name });
    throw error;
  }
}

/** Where a relationship's target lies, resolved against the part that declares it. */
function resolveTarget(fromPart: string, target: string): string {
  let decoded = target;
  try {
    decoded = decodeURIComponent(target);
  } catch {
    // A target that is not valid percent-encoding is taken literally.
  }
  const base = decoded.startsWith('/') ? [] : fromPart.split('/').slice(0, -1);
  for (const segment of decoded.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') base.pop();
    else base.push(segment);
  }
  return base.join('/');
}

function relationshipsPath(part: string): string {
  const slash = part.lastIndexOf('/');
  return `${part.slice(0, slash + 1)}_rels/${part.slice(slash + 1)}.rels`;
}

interface Relationship {
  type: string;
  target: string;
}

async function readRelationships(archive: ZipArchive, part: string): Promise<Map<string, Relationship>> {
  const relationships = new Map<string, Relationship>();
  const entry = archive.find(relationshipsPath(part));
  if (!entry) return relationships;
  await parsePart(
    archive,
    entry,
    {
      open(name, attributes) {
        if (name !== 'Relationship' || attributes.TargetMode === 'External') return;
        const { Id: id, Type: type, Target: target } = attributes;
        if (id !== undefined && type !== undefined && target !== undefined) {
          relationships.set(id, { type, target: resolveTarget(part, target) });
        }
      },
      close() {},
      text() {},
    },
    entry.name,
  );
  return relationships;
}

/** Relationship types end the same in transitional and strict OOXML. */
function isType(relationship: Relationship, kind: string): boolean {
  return relationship.type.endsWith(`/${kind}`);
}

function attributeByLocalName(attributes: Record<string, string>, local: string): string | undefined {
  for (const [key, value] of Object.entries(attributes)) if (key.endsWith(`:${local}`)) return value;
  return undefined;
}

export async function readWorkbookParts(archive: ZipArchive): Promise<WorkbookParts> {
  const packageRelationships = await readRelationships(archive, '');
  const officeDocument = [...packageRelationships.values()].find((r) => isType(r, 'officeDocument'));
  const workbookPath = officeDocument?.target ?? 'xl/workbook.xml';
  const workbookEntry = archive.find(workbookPath);
  if (!workbookEntry) {
    const binary = archive.find('xl/workbook.bin') ? ' (xl/workbook.bin: an XLSB binary workbook, which is not supported)' : '';
    throw new DecodeFailed(`not an XLSX workbook: the zip has no workbook part ${workbookPath}${binary}`, { part: workbookPath });
  }

  let root: string | null = null;
  let date1904 = false;
  const sheets: { name: string; state: string | undefined; relationshipId: string | undefined }[] = [];
  await parsePart(
    archive,
    workbookEntry,
    {
      open(name, attributes) {
        root ??= name;
        if (name === 'workbookPr') date1904 = attributes.date1904 === '1' || attributes.date1904 === 'true';
        else if (name === 'sheet' && attributes.name !== undefined) {
          sheets.push({ name: attributes.name, state: attributes.state, relationshipId: attributeByLocalName(attributes, 'id') });
        }
      },
      close() {},
      text() {},
    },
    'the workbook part',
  );
  if (root !== 'workbook') {
    throw new DecodeFailed(`not an XLSX workbook: its main part ${workbookEntry.name} is a <${root}>, not a <workbook>`, {
      part: workbookEntry.name,
    });
  }

  const relationships = await readRelationships(archive, workbookEntry.name);
  const worksheets: WorksheetPart[] = [];
  for (const sheet of sheets) {
    const relationship = sheet.relationshipId !== undefined ? relationships.get(sheet.relationshipId) : undefined;
    if (!relationship || !isType(relationship, 'worksheet')) continue;
    worksheets.push({ name: sheet.name, hidden: sheet.state === 'hidden' || sheet.state === 'veryHidden', path: relationship.target });
  }
  const partOfType = (kind: string) => {
    const relationship = [...relationships.values()].find((r) => isType(r, kind));
    return relationship ? archive.find(relationship.target) : undefined;
  };
  return { worksheets, date1904, styles: partOfType('styles'), sharedStrings: partOfType('sharedStrings') };
}

/** For each cell style (`s` attribute of a cell), whether its number format shows a date. */
export async function readDateStyles(archive: ZipArchive, entry: ZipEntry | undefined): Promise<boolean[]> {
  if (!entry) return [];
  const customFormats = new Map<number, string>();
  const formatIds: number[] = [];
  const path: string[] = [];
  await parsePart(
    archive,
    entry,
    {
      open(name, attributes) {
        const parent = path[path.length - 1];
        if (name === 'numFmt' && parent === 'numFmts' && attributes.formatCode !== undefined) {
          customFormats.set(Number(attributes.numFmtId), attributes.formatCode);
        } else if (name === 'xf' && parent === 'cellXfs') {
          formatIds.push(Number(attributes.numFmtId ?? 0));
        }
        path.push(name);
      },
      close() {
        path.pop();
      },
      text() {},
    },
    'the styles part',
  );
  return formatIds.map((id) => isDateFormat(id, customFormats.get(id)));
}

/**
 * The shared strings table, rich text flattened to its plain text. Phonetic runs
 * (<rPh>, Japanese reading aids) are not part of the text Excel shows, so they are skipped.
 */
export async function readSharedStrings(archive: ZipArchive, entry: ZipEntry | undefined): Promise<string[]> {
  const strings: string[] = [];
  if (!entry) return strings;
  let current: string | null = null;
  let capturing = false;
  let phonetic = 0;
  await parsePart(
    archive,
    entry,
    {
      open(name) {
        if (name === 'si') current = '';
        else if (name === 'rPh') phonetic++;
        else if (name === 't' && current !== null && phonetic === 0) capturing = true;
      },
      close(name) {
        if (name === 't') capturing = false;
        else if (name === 'rPh') phonetic--;
        else if (name === 'si' && current !== null) {
          strings.push(unescapeOoxml(current));
          current = null;
        }
      },
      text(text) {
        if (capturing) current += text;
      },
    },
    'the shared strings part',
  );
  return strings;
}
