/**
 * The text of a plan as blocks (headings, list items, paragraphs) and sentences, for plan import.
 *
 * Markdown (the seed plan), plain text (a paste, a .txt) and the raw text of a .docx are read alike: one block per
 * line (a line starting in lowercase continues the paragraph above, for hard-wrapped text), markdown emphasis,
 * escapes and links removed. A line is a heading when it is marked as one (`#`, a fully bold line), when it starts
 * with a Roman numeral ("III. HOẠT ĐỘNG …"), or when it is numbered or unmarked and reads like a title: short, no
 * final punctuation, not a "Label: value" field. A chapter (level 1: a Roman numeral or all capitals) groups other
 * headings and is never an activity itself. Pure: no I/O.
 */

export interface Block {
  type: 'heading' | 'item' | 'paragraph';
  /** Numbering or bullet as written: "III", "2.1", "-", "+". */
  marker?: string;
  /** Headings: 1 for a chapter, 2 for "1.", 3 for "2.1." … Items: 1 for "-", "*", "•", 2 for "+" (a sub-item). */
  level: number;
  /** The text, cleaned of markup and of its marker. */
  text: string;
  /** 1-based line of the input where the block starts. */
  line: number;
}

export interface Section {
  /** Absent for the text before the first heading. */
  heading?: Block;
  blocks: Block[];
}

/** NFC, Unix line ends, ordinary spaces; zero-width characters and the byte-order mark removed. */
export function normalizeText(raw: string): string {
  return raw
    .normalize('NFC')
    .replace(/\r\n?/g, '\n')
    .replace(/[\u00a0\u2007\u202f\t]/g, ' ')
    .replace(/[\u200b-\u200d\u2060\ufeff]/g, '');
}

const ROMAN_RE = /^([IVX]{1,5})\.\s+(.*)$/u;
/** "1. …", "1) …", "2.1. …", "2.1 …"; a bare number ("75 năm …") is not a marker. */
const NUMBER_RE = /^(\d{1,2}(?:\.\d{1,2})+|\d{1,2}(?=[.)]))(?:[.)]\s*|\s+)(\S.*)$/u;
const BULLET_RE = /^([-+•–*])\s+(.*)$/u;
/** A line that is only a field label and its value: "Thời gian: tháng 08/2021". */
const FIELD_RE = /^([\p{L}][\p{L} /]{1,40}?)\s*:\s*(.*)$/u;

/** Markdown inline markup off: links to their text, emphasis markers and backslash escapes removed. */
function stripInline(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<((?:https?:|mailto:)[^>]+)>/g, '$1')
    .replace(/(\*{1,3}|_{2,3})(?=\S)(.*?\S)\1/g, '$2')
    .replace(/\*\*|__/g, '')
    .replace(/\\([\\`*_{}[\]()#+\-.!>~|])/g, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

const endsLikeSentence = (text: string): boolean => /[.;,:!?…]$/.test(text);
const isAllCaps = (text: string): boolean => /\p{L}/u.test(text) && text === text.toLocaleUpperCase('vi') && text !== text.toLocaleLowerCase('vi');

/** "Label: value" with a short label, e.g. "Thời gian: …", "Đơn vị Cụm phó: …". */
export function fieldOf(text: string): { label: string; value: string } | undefined {
  const m = FIELD_RE.exec(text);
  if (!m) return undefined;
  return { label: m[1]!.trim(), value: m[2]!.trim() };
}

/** Short, unpunctuated, starting with a capital or a digit, and not a field: a title rather than a sentence. */
function readsLikeTitle(text: string): boolean {
  return text.length > 0 && text.length <= 160 && !endsLikeSentence(text) && /^[\p{Lu}\d]/u.test(text) && !fieldOf(text);
}

interface RawLine {
  text: string;
  line: number;
  /** Marked as a heading by markdown: `#` or a fully bold line. */
  marked: boolean;
}

function classify(raw: RawLine): Block {
  const { line } = raw;
  const unmarked = raw.text;
  const roman = ROMAN_RE.exec(unmarked);
  if (roman) return { type: 'heading', marker: roman[1]!, level: 1, text: roman[2]!.trim(), line };
  const numbered = NUMBER_RE.exec(unmarked);
  if (numbered) {
    const marker = numbered[1]!;
    const text = numbered[2]!.trim();
    const level = marker.split('.').length + 1;
    return raw.marked || readsLikeTitle(text) ? { type: 'heading', marker, level, text, line } : { type: 'item', marker, level: 1, text, line };
  }
  const bullet = BULLET_RE.exec(unmarked);
  if (bullet && !raw.marked) return { type: 'item', marker: bullet[1]!, level: bullet[1] === '+' ? 2 : 1, text: bullet[2]!.trim(), line };
  if (raw.marked || readsLikeTitle(unmarked)) return { type: 'heading', level: isAllCaps(unmarked) ? 1 : 2, text: unmarked, line };
  return { type: 'paragraph', level: 0, text: unmarked, line };
}

/** One raw line: markdown heading hashes and full-line bold noted, inline markup removed. */
function readLine(source: string, line: number): RawLine | undefined {
  let text = source.trim();
  if (!text || /^(?:-{3,}|\*{3,}|_{3,})$/.test(text)) return undefined;
  let marked = false;
  const hashes = /^#{1,6}\s+(.*)$/.exec(text);
  if (hashes) {
    marked = true;
    text = hashes[1]!;
  }
  // A bullet is read before emphasis is removed: "\* *Lưu ý:* …" is a bullet, "**I. MỤC ĐÍCH**" is not.
  const escapedBullet = /^\\\*\s+(.*)$/.exec(text);
  if (escapedBullet) text = `* ${escapedBullet[1]}`;
  if (/^(\*\*|__)(?=\S).*\S\1$/.test(text) && !/^(\*\*|__).*\1.+\1$/.test(text)) marked = true;
  const cleaned = stripInline(text);
  return cleaned ? { text: cleaned, line, marked } : undefined;
}

/** The blocks of a plan, in reading order. */
export function parseBlocks(input: string): Block[] {
  const blocks: Block[] = [];
  let previousBlank = true;
  normalizeText(input)
    .split('\n')
    .forEach((source, i) => {
      const raw = readLine(source, i + 1);
      if (!raw) {
        previousBlank = true;
        return;
      }
      const last = blocks[blocks.length - 1];
      // Hard-wrapped text: a line that starts in lowercase continues the paragraph or item above it.
      if (!previousBlank && !raw.marked && last && last.type !== 'heading' && /^\p{Ll}/u.test(raw.text)) {
        last.text = `${last.text} ${raw.text}`;
      } else {
        blocks.push(classify(raw));
      }
      previousBlank = false;
    });
  return blocks;
}

/** Blocks grouped under the heading before them (a flat list: each heading owns the blocks up to the next heading). */
export function sectionsOf(blocks: readonly Block[]): Section[] {
  const sections: Section[] = [];
  let current: Section = { blocks: [] };
  for (const block of blocks) {
    if (block.type === 'heading') {
      if (current.heading || current.blocks.length > 0) sections.push(current);
      current = { heading: block, blocks: [] };
    } else {
      current.blocks.push(block);
    }
  }
  if (current.heading || current.blocks.length > 0) sections.push(current);
  return sections;
}

/** Abbreviations after which a period does not end a sentence: "TP. Thanh Hóa", "P. Đông Vệ", "Đ/c", "ThS.". */
const ABBREVIATION_RE = /(?:^|[\s(])(?:\p{Lu}{1,3}|Tp|Th|Đ\/c|đ\/c|ThS|PGS|tr|St|v\.v)$/u;

/**
 * The sentences of a block's text: split after ".", "!" or "?" followed by a capital letter, except after an
 * abbreviation or inside a number ("0949.007.377"). Semicolons do not split (a plan lists tasks with them).
 */
export function splitSentences(text: string): string[] {
  const out: string[] = [];
  let start = 0;
  const re = /[.!?…]+(?=\s+["“(]?[\p{Lu}\d])/gu;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const head = text.slice(start, m.index);
    if (m[0] === '.' && ABBREVIATION_RE.test(head)) continue;
    out.push(text.slice(start, m.index + m[0].length).trim());
    start = m.index + m[0].length;
  }
  const rest = text.slice(start).trim();
  if (rest) out.push(rest);
  return out.filter(Boolean);
}
