/**
 * From the text of a plan to proposed milestones (plan import).
 *
 * Two things make a milestone:
 * - an activity heading: a heading (not a chapter) that names a registration, a covenant signing, a conference or an
 *   event ("2.2. Hội nghị Sơ kết …"), or any heading whose section has a "Thời gian:" line. Its section gives the
 *   due ("Thời gian:", else the heading, else the first dated sentence), the place ("Địa điểm:", else "tại …"),
 *   participants, content, notes ("Lưu ý:", a sentence in brackets) and who does what ("Phân công:", "+ Đơn vị Cụm
 *   phó: …", "…, các đơn vị trong Cụm … tổ chức …");
 * - a document sentence: "<document> [của <who>] gửi/nộp [về] <to> [date]", "<who> gửi/nộp <document> về <to> …",
 *   or "Hồ sơ đề nghị khen thưởng thực hiện theo …". One milestone per document ("Báo cáo …; bảng tự chấm điểm …
 *   gửi về …" gives two). A document of the same kind as the activity it sits under (the registration form under
 *   "Phát động phong trào thi đua và đăng ký thi đua") belongs to that activity instead.
 * - besides, a sentence outside an activity that names a kind of milestone and carries a due date.
 * Nothing else: purpose, requirements, the tasks of the year, references to guidance, the contact address and the
 * list of recipients of the plan make no milestone, and no date is made up (dates.ts).
 *
 * A document whose recipient is not written takes the recipients of the other documents of its section (a plan's
 * "Chế độ thông tin báo cáo" names the head once), else the Cụm trưởng, who collects everything (DOMAIN.md); a
 * document whose sender is not written is sent by every unit, except an award dossier, sent by the units proposed
 * for an award. Each such default is listed in the milestone's reasons and lowers its confidence.
 *
 * A round anniversary ("75 năm Ngày thành lập") is proposed as a one-off (not cloned into the next year).
 *
 * Confidence (`confidenceOf`): 0.4 for being found (a heading naming an activity, a sentence naming a document)
 * + 0.3 when its date or month was read (0.2 when the year came from the school year)
 * + 0.15 when the text says who acts (not a default)
 * + 0.15 when the text says where (a place, or to whom a document goes; not a default); at most 1.
 */
import type { MilestoneKind, Recipient } from '../labels';
import type { Due } from '../model';
import { schoolYearOf, type LocalDate } from '../time';
import { findDates, findSchoolYears, firstDue, type DateMention, type SchoolYear } from './dates';
import type { PlanImportProposal, ProposedDocument, ProposedMilestone, Responsibility, Who } from './proposal';
import { fieldOf, parseBlocks, sectionsOf, splitSentences, type Block, type Section } from './text';

export interface ProposeOptions {
  /** The plan's school year when the caller knows it; otherwise it is read from the text. */
  schoolYear?: SchoolYear;
}

// ---------------------------------------------------------------------------------------------------------------
// Vocabulary

/** First match wins: an award dossier is a "hồ sơ", a self-scoring table mentions "chấm điểm" before "báo cáo". */
const KIND_RULES: ReadonlyArray<readonly [MilestoneKind, RegExp]> = [
  ['award-dossier', /hồ sơ (?:đề nghị |xét )?(?:khen thưởng|thi đua)|hồ sơ đề nghị (?:tặng|công nhận|xét)/iu],
  ['self-score', /chấm điểm/iu],
  ['registration', /đăng ký (?:thi đua|danh hiệu|giao ước)|bản đăng ký/iu],
  ['covenant', /ký (?:kết )?giao ước|giao ước thi đua đã ký/iu],
  ['conference', /hội nghị|hội thảo|tọa đàm|họp (?:cụm|giao ban)/iu],
  ['report', /báo cáo/iu],
  ['event', /giải thể thao|hội thao|hội thi|hội diễn|văn nghệ|thi đấu|giao lưu|mít tinh|kỷ niệm|chào mừng|tham quan|dã ngoại/iu],
];
/** A round anniversary ("75 năm Ngày thành lập", "kỷ niệm 40 năm") happens once; other milestones recur yearly. */
const ONE_OFF_RE = /(?<!\d)\d+\s+năm\s+(?:ngày|thành lập)|kỷ niệm\s+\d+\s+năm/iu;
/** Kinds a heading can name by itself (documents come from sentences that say they are sent). */
const ACTIVITY_KINDS: readonly MilestoneKind[] = ['registration', 'covenant', 'conference', 'event'];

export function kindOf(text: string): MilestoneKind | undefined {
  return KIND_RULES.find(([, re]) => re.test(text))?.[0];
}

const DOC_NOUN = String.raw`(?:báo cáo|bảng|bản|hồ sơ|đăng ký|biên bản|danh sách|giao ước|tờ trình|phiếu)`;
const DOC_START_RE = new RegExp(String.raw`^${DOC_NOUN}(?!\p{L})`, 'iu');
const SEND_RE = /(?<!\p{L})(?:gửi|nộp)(?!\p{L})(?:\s+(?:về|cho|đến|tới|lên)(?!\p{L}))?\s*/iu;
const ROLE = String.raw`(?:(?:đơn vị\s+)?(?<head>cụm trưởng)|(?:đơn vị\s+)?(?<deputy>cụm phó)|(?<all>(?:các|tất cả các)\s+đơn vị(?:\s+thành viên)?(?:\s+trong\s+cụm(?:\s+thi đua)?)?))`;
const ROLE_LABEL_RE = new RegExp(String.raw`^${ROLE}$`, 'iu');
/** A role at the start of a clause, then what it does: "…, các đơn vị trong Cụm Thi đua tổ chức phát động …". */
const ROLE_CLAUSE_RE = new RegExp(String.raw`(?:^|[,;:]\s*)${ROLE}\s+(?:có trách nhiệm\s+|sẽ\s+)?(?<task>\p{Ll}.*)$`, 'iu');
/** "Các đơn vị gửi báo cáo sơ kết về Cụm trưởng …". */
const WHO_SENDS_RE = new RegExp(String.raw`^${ROLE}\s+(?:có trách nhiệm\s+)?(?:gửi|nộp)\s+(?<doc>${DOC_NOUN}(?!\p{L}).*?)\s+(?:về|cho|đến|tới|lên)\s+(?<to>.*)$`, 'iu');
const OF_WHO_RE = new RegExp(String.raw`\s+của\s+${ROLE}.*$`, 'iu');
const CONTACT_RE = /^(?:địa chỉ|điện thoại|email|e-mail|sđt|liên hệ)(?!\p{L})/iu;

type FieldKey = 'time' | 'place' | 'participants' | 'content' | 'assign' | 'note';
const FIELD_LABELS: ReadonlyArray<readonly [FieldKey, RegExp]> = [
  ['time', /^(?:thời gian|thời hạn|hạn nộp|ngày tổ chức)$/iu],
  ['place', /^địa điểm$/iu],
  ['participants', /^thành phần(?: tham dự| tham gia)?$/iu],
  ['content', /^nội dung$/iu],
  ['assign', /^(?:phân công|trách nhiệm|tổ chức thực hiện)$/iu],
  ['note', /^(?:lưu ý|ghi chú|chú ý)$/iu],
];
const fieldKeyOf = (label: string): FieldKey | undefined => FIELD_LABELS.find(([, re]) => re.test(label))?.[0];

function whoOfGroups(groups: Record<string, string | undefined> | undefined): Who | undefined {
  if (!groups) return undefined;
  return groups.head ? 'cum-truong' : groups.deputy ? 'cum-pho' : groups.all ? 'all' : undefined;
}

const RECIPIENT_RULES: ReadonlyArray<readonly [Recipient, RegExp]> = [
  ['cum-truong', /cụm trưởng/iu],
  ['cdvc-tinh', /công đoàn viên chức tỉnh|cđvc|cdvc|công đoàn tỉnh/iu],
];
const recipientsIn = (text: string): Recipient[] => RECIPIENT_RULES.filter(([, re]) => re.test(text)).map(([r]) => r);

// ---------------------------------------------------------------------------------------------------------------
// Small text helpers

const upperFirst = (s: string): string => s.charAt(0).toLocaleUpperCase('vi') + s.slice(1);
const lowerFirst = (s: string): string => s.charAt(0).toLocaleLowerCase('vi') + s.slice(1);
const trimEnd = (s: string): string => s.replace(/[\s.;:,]+$/u, '').trim();
const clean = (s: string): string => trimEnd(s.replace(/\s+/g, ' ').trim());

/** "… tại Trường X (đơn vị Cụm phó)." -> "Trường X (đơn vị Cụm phó)". */
function placeIn(text: string): string | undefined {
  const m = /(?<!\p{L})tại\s+([^;.()]+(?:\([^)]*\))?)/iu.exec(text);
  return m ? clean(m[1]!) || undefined : undefined;
}

function slugOf(title: string): string {
  const words = title
    .replace(/năm học\s+\d{4}\s*[-–—]\s*\d{4}/giu, ' ')
    .replace(/\([^)]*\)/g, ' ')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(/[đĐ]/g, 'd')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .slice(0, 6);
  while (words.length > 1 && ['va', 'cua', 'cac', 'nam', 'hoc', 'trong', 'cho', 've', 'voi', 'tai', 'theo'].includes(words[words.length - 1]!)) words.pop();
  return words.join('-').slice(0, 48).replace(/-+$/, '') || 'moc';
}

// ---------------------------------------------------------------------------------------------------------------
// Drafts

interface Draft {
  kind: MilestoneKind;
  title: string;
  due?: DateMention;
  place?: string;
  participants?: string;
  content: string[];
  responsible: Responsibility[];
  /** Whether each responsibility was read (true) or a default (false). */
  whoStated: boolean;
  documents: ProposedDocument[];
  /** Whether the recipients were written. */
  toStated: boolean;
  notes: string[];
  source: string;
  line: number;
  reasons: string[];
  /** For documents: its section, to borrow recipients from siblings. */
  section: number;
}

const emptyDraft = (d: Pick<Draft, 'kind' | 'title' | 'source' | 'line' | 'section'>): Draft => ({
  ...d,
  content: [],
  responsible: [],
  whoStated: false,
  documents: [],
  toStated: false,
  notes: [],
  reasons: [],
});

function addResponsibility(list: Responsibility[], who: Who, task: string): void {
  const text = upperFirst(clean(task));
  if (!text) return;
  const existing = list.find((r) => r.who === who);
  if (existing) existing.task = `${existing.task}; ${lowerFirst(text)}`;
  else list.push({ who, task: text });
}

/** "Đơn vị Cụm trưởng: chuẩn bị …", "Đơn vị Cụm trưởng chuẩn bị …", "…, các đơn vị … tổ chức …". */
function responsibilityIn(text: string): Responsibility | undefined {
  const field = fieldOf(text);
  if (field) {
    const label = ROLE_LABEL_RE.exec(field.label);
    const who = whoOfGroups(label?.groups);
    if (who && field.value) return { who, task: field.value };
  }
  const clause = ROLE_CLAUSE_RE.exec(text);
  const who = whoOfGroups(clause?.groups);
  return who && clause?.groups?.task ? { who, task: clause.groups.task } : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Document sentences

interface DocumentMention {
  kind: MilestoneKind;
  title: string;
  from?: Who;
  to: Recipient[];
  /** The recipients as written ("đơn vị Cụm trưởng"), for the task. */
  toText?: string;
  due?: DateMention;
  place?: string;
  notes: string[];
  /** The whole sentence, for a task when nothing better is written. */
  sentence: string;
}

/** The part of "…gửi về <to> trước ngày …" that names the recipients. */
function recipientsPart(rest: string, due: DateMention | undefined, offset: number): string {
  const end = due && due.start >= offset ? due.start - offset : rest.length;
  return clean(rest.slice(0, end).replace(/\s+(?:trước|chậm nhất|muộn nhất|hạn|trong|theo|để|qua|bằng)(?!\p{L}).*$/iu, ''));
}

/** The documents a sentence asks units to send, or [] when it asks for none. */
export function documentsIn(sentence: string, schoolYear: SchoolYear | undefined): DocumentMention[] {
  const dates = findDates(sentence, { schoolYear });
  const due = firstDue(dates);
  const place = placeIn(sentence);
  const whoSends = WHO_SENDS_RE.exec(sentence);
  if (whoSends?.groups) {
    const rest = whoSends.groups.to ?? '';
    const toText = recipientsPart(rest, due, sentence.length - rest.length);
    const title = upperFirst(clean(whoSends.groups.doc ?? ''));
    return [{ kind: kindOf(title) ?? 'report', title, from: whoOfGroups(whoSends.groups), to: recipientsIn(toText), toText, due, place, notes: [], sentence }];
  }
  if (!DOC_START_RE.test(sentence)) return [];
  const send = SEND_RE.exec(sentence);
  if (!send) {
    // "Hồ sơ đề nghị khen thưởng thực hiện theo Hướng dẫn số 40/HD-CĐVC …": a dossier with its rules, no date.
    if (kindOf(sentence) !== 'award-dossier') return [];
    const cut = /\s+(?:thực hiện|theo|gồm|bao gồm)(?!\p{L})|:/iu.exec(sentence);
    const title = upperFirst(clean(cut ? sentence.slice(0, cut.index) : sentence));
    const rest = cut ? clean(sentence.slice(cut.index).replace(/^[\s:]+/, '')) : '';
    // The rest names the guidance and its author, not a recipient.
    return [{ kind: 'award-dossier', title, to: [], due, place, notes: rest ? [upperFirst(rest)] : [], sentence }];
  }
  const subject = sentence.slice(0, send.index);
  const restStart = send.index + send[0].length;
  const toText = recipientsPart(sentence.slice(restStart), due, restStart);
  const ofWho = OF_WHO_RE.exec(subject);
  const from = whoOfGroups(ofWho?.groups);
  const titles = (ofWho ? subject.slice(0, ofWho.index) : subject)
    .split(';')
    .map(clean)
    .reduce<string[]>((parts, part) => {
      if (parts.length > 0 && !DOC_START_RE.test(part)) parts[parts.length - 1] += `; ${part}`;
      else if (part) parts.push(part);
      return parts;
    }, []);
  return titles.map((t) => {
    const title = upperFirst(t);
    return { kind: kindOf(title) ?? 'report', title, from, to: recipientsIn(toText), toText, due, place, notes: [], sentence };
  });
}

function draftOfDocument(doc: DocumentMention, line: number, section: number): Draft {
  const draft = emptyDraft({ kind: doc.kind, title: doc.title, source: doc.sentence, line, section });
  attachDocument(draft, doc);
  draft.due = doc.due;
  draft.place = doc.place;
  draft.notes.push(...doc.notes);
  return draft;
}

/** Adds a document to a draft: the document, its sender's task, and the defaults it needed. */
function attachDocument(draft: Draft, doc: DocumentMention): void {
  const from = doc.from ?? (doc.kind === 'award-dossier' ? 'proposed-for-award' : 'all');
  if (doc.from) draft.whoStated = true;
  else draft.reasons.push(from === 'all' ? 'người gửi không ghi: mặc định mọi đơn vị' : 'người gửi không ghi: các đơn vị được đề nghị khen thưởng');
  if (doc.to.length > 0) draft.toStated = true;
  draft.documents.push({ title: doc.title, from, to: doc.to });
  // A dossier "thực hiện theo Hướng dẫn …" names no recipient: its task is the plan's own sentence.
  const task = doc.toText ? `Gửi ${lowerFirst(doc.title)} về ${doc.toText}` : doc.notes.length > 0 ? doc.sentence : `Gửi ${lowerFirst(doc.title)}`;
  addResponsibility(draft.responsible, from, task);
}

// ---------------------------------------------------------------------------------------------------------------
// Activities

/** Whether a section is an activity: a heading naming one, or any heading with a "Thời gian:" line under it. */
function activityKindOf(section: Section): MilestoneKind | undefined {
  const heading = section.heading;
  if (!heading || heading.level === 1) return undefined;
  const kind = kindOf(heading.text);
  if (kind && ACTIVITY_KINDS.includes(kind)) return kind;
  const timed = section.blocks.some((b) => fieldKeyOf(fieldOf(b.text)?.label ?? '') === 'time');
  return timed ? (kind ?? 'event') : undefined;
}

interface SectionContext {
  schoolYear: SchoolYear | undefined;
  index: number;
}

/** Reads an activity section into a draft, and the documents under it that are milestones of their own. */
function readActivity(section: Section, kind: MilestoneKind, ctx: SectionContext): Draft[] {
  const heading = section.heading!;
  const draft = emptyDraft({ kind, title: trimEnd(heading.text), source: heading.text, line: heading.line, section: ctx.index });
  const others: Draft[] = [];
  const dated: Array<{ mention: DateMention; text: string }> = [];
  let timeValue: { mention: DateMention; text: string } | undefined;
  let current: FieldKey | undefined;

  const onField = (key: FieldKey, value: string): void => {
    switch (key) {
      case 'time': {
        const mention = firstDue(findDates(value, { schoolYear: ctx.schoolYear }));
        if (mention && !timeValue) timeValue = { mention, text: value };
        break;
      }
      case 'place':
        if (value && !draft.place) draft.place = clean(value);
        break;
      case 'participants':
        if (value) draft.participants = draft.participants ? `${draft.participants}; ${clean(value)}` : clean(value);
        break;
      case 'content':
        if (value) draft.content.push(upperFirst(clean(value)));
        break;
      case 'assign': {
        const r = value ? responsibilityIn(value) : undefined;
        if (r) {
          addResponsibility(draft.responsible, r.who, r.task);
          draft.whoStated = true;
        } else if (value) draft.notes.push(upperFirst(clean(value)));
        break;
      }
      case 'note':
        if (value) draft.notes.push(upperFirst(clean(value)));
        break;
    }
  };

  for (const block of section.blocks) {
    if (CONTACT_RE.test(block.text)) continue;
    const field = fieldOf(block.text);
    const key = field ? fieldKeyOf(field.label) : undefined;
    if (block.type === 'item' && block.level === 2 && current && !key) {
      onField(current, block.text);
      continue;
    }
    if (field && key) {
      current = key;
      onField(key, field.value);
      continue;
    }
    current = undefined;
    if (block.type === 'item' && /^\d/.test(block.marker ?? '')) {
      // "2. Hội thi …: từ ngày 25/3 …" under "1. Hội nghị …": a sibling written as a numbered sentence.
      others.push(...readOtherBlock(block, ctx));
      continue;
    }
    for (const dueSentence of readFreeText(block, draft, others, ctx)) {
      const mention = firstDue(findDates(dueSentence, { schoolYear: ctx.schoolYear }));
      if (mention) dated.push({ mention, text: dueSentence });
    }
  }

  // The due: "Thời gian:", else the heading, else the activity's own document, else its first dated sentence.
  const headingDue = firstDue(findDates(heading.text, { schoolYear: ctx.schoolYear }));
  const chosen = timeValue ?? (headingDue ? { mention: headingDue, text: heading.text } : undefined) ?? (draft.due ? undefined : dated[0]);
  if (chosen) {
    draft.due = chosen.mention;
    draft.place ??= placeIn(chosen.text);
  }
  draft.place ??= placeIn(heading.text);
  return [draft, ...others];
}

/**
 * A block of an activity's section that is not a field: documents, someone's task, a note in brackets, content.
 * Returns the sentences that are neither documents nor notes (where the activity's date may be written).
 */
function readFreeText(block: Block, draft: Draft, others: Draft[], ctx: SectionContext): string[] {
  const parenthesised = /^\((.*)\)\.?$/u.exec(block.text);
  if (parenthesised) {
    draft.notes.push(upperFirst(clean(parenthesised[1]!)));
    return [];
  }
  const plain: string[] = [];
  for (const sentence of splitSentences(block.text)) {
    const docs = documentsIn(sentence, ctx.schoolYear);
    if (docs.length > 0) {
      for (const doc of docs) {
        if (doc.kind === draft.kind) {
          attachDocument(draft, doc);
          if (!draft.due && doc.due) draft.due = doc.due;
        } else {
          others.push(draftOfDocument(doc, block.line, ctx.index));
        }
      }
      continue;
    }
    const r = responsibilityIn(sentence);
    if (r) {
      addResponsibility(draft.responsible, r.who, r.task);
      draft.whoStated = true;
    }
    // "Đơn vị Cụm phó: gửi giấy mời …" is only a task; other sentences are what the activity covers.
    const roleLine = ROLE_LABEL_RE.test(fieldOf(sentence)?.label ?? '');
    if (!roleLine) draft.content.push(upperFirst(clean(sentence)));
    plain.push(sentence);
  }
  return plain;
}

// ---------------------------------------------------------------------------------------------------------------
// Sections that are not activities

/** "Hội nghị sơ kết tổ chức vào ngày 19.5 tại Trường X." outside an activity: a kind and a due date. */
function datedSentence(sentence: string, line: number, ctx: SectionContext): Draft | undefined {
  const kind = kindOf(sentence);
  const due = firstDue(findDates(sentence, { schoolYear: ctx.schoolYear }));
  if (!kind || !due) return undefined;
  const placeAt = /(?<!\p{L})tại\s/iu.exec(sentence)?.index ?? sentence.length;
  const head = sentence.slice(0, Math.min(due.start, placeAt));
  const title = upperFirst(clean(head.replace(/\s+(?:được\s+)?(?:tổ chức|diễn ra|thực hiện|vào|dự kiến)(?:\s+(?:vào|trong))?\s*$/iu, '')));
  if (!title) return undefined;
  const draft = emptyDraft({ kind, title, source: sentence, line, section: ctx.index });
  draft.due = due;
  draft.place = placeIn(sentence);
  const r = responsibilityIn(sentence);
  if (r) {
    addResponsibility(draft.responsible, r.who, r.task);
    draft.whoStated = true;
  }
  return draft;
}

/** The documents a block asks for, and the dated activities it names. */
function readOtherBlock(block: Block, ctx: SectionContext): Draft[] {
  if (CONTACT_RE.test(block.text)) return [];
  const drafts: Draft[] = [];
  for (const sentence of splitSentences(block.text)) {
    const docs = documentsIn(sentence, ctx.schoolYear);
    if (docs.length > 0) drafts.push(...docs.map((d) => draftOfDocument(d, block.line, ctx.index)));
    else {
      const dated = datedSentence(sentence, block.line, ctx);
      if (dated) drafts.push(dated);
    }
  }
  return drafts;
}

const readOtherSection = (section: Section, ctx: SectionContext): Draft[] => section.blocks.flatMap((b) => readOtherBlock(b, ctx));

// ---------------------------------------------------------------------------------------------------------------
// The plan as a whole

/** The school year most mentioned in the text (ties: the first), e.g. 2021 - 2022 in the seed. */
function schoolYearIn(blocks: readonly Block[]): SchoolYear | undefined {
  const counts = new Map<number, number>();
  for (const b of blocks) for (const y of findSchoolYears(b.text)) counts.set(y.startYear, (counts.get(y.startYear) ?? 0) + 1);
  let best: number | undefined;
  for (const [year, count] of counts) if (best === undefined || count > counts.get(best)!) best = year;
  return best === undefined ? undefined : { startYear: best, endYear: best + 1 };
}

/** "Thanh Hóa, ngày 23 tháng 8 năm 2021": where and when the plan was issued. */
function issueOf(blocks: readonly Block[]): { place: string; date: LocalDate } | undefined {
  for (const b of blocks.slice(0, 15)) {
    const m = findDates(b.text).find((d) => d.role === 'issue-date');
    if (m && m.value.type === 'date') return { place: clean(b.text.slice(0, m.start)), date: m.value.date };
  }
  return undefined;
}

/** "KẾ HOẠCH" followed by "Hoạt động của Cụm …" -> "Kế hoạch hoạt động của Cụm …". */
function titleOf(blocks: readonly Block[]): string | undefined {
  const i = blocks.findIndex((b) => b.type === 'heading' && /^kế hoạch$/iu.test(b.text.trim()));
  const next = i >= 0 ? blocks[i + 1] : undefined;
  if (next && next.type === 'heading') return clean(`Kế hoạch ${lowerFirst(next.text)}`);
  const titled = blocks.find((b) => b.type === 'heading' && /^kế hoạch\s+\p{L}/iu.test(b.text));
  return titled ? clean(titled.text) : undefined;
}

/** The recipients a document without any borrows: those of its section's other documents, else the Cụm trưởng. */
function fillRecipients(drafts: Draft[]): void {
  for (const draft of drafts) {
    for (const doc of draft.documents) {
      if (doc.to.length > 0) continue;
      const siblings = [...new Set(drafts.filter((d) => d.section === draft.section && d !== draft).flatMap((d) => d.documents.flatMap((x) => x.to)))];
      if (siblings.length > 0) {
        doc.to = siblings;
        draft.reasons.push('nơi nhận không ghi: theo các tài liệu khác cùng mục');
      } else {
        doc.to = ['cum-truong'];
        draft.reasons.push('nơi nhận không ghi: mặc định đơn vị Cụm trưởng');
      }
    }
  }
}

/** The stated rule, see the module comment. */
export function confidenceOf(d: Pick<Draft, 'due' | 'whoStated' | 'toStated' | 'place'>): { confidence: number; reasons: string[] } {
  const reasons: string[] = [];
  let score = 0.4;
  if (d.due) {
    score += d.due.yearInferred ? 0.2 : 0.3;
    reasons.push(d.due.yearInferred ? 'đọc được thời hạn; năm suy từ năm học' : 'đọc được thời hạn');
  } else reasons.push('kế hoạch không ghi thời gian');
  if (d.whoStated) {
    score += 0.15;
    reasons.push('có ghi đơn vị thực hiện');
  }
  if (d.place || d.toStated) {
    score += 0.15;
    reasons.push(d.place ? 'có ghi địa điểm' : 'có ghi nơi nhận');
  }
  return { confidence: Math.min(1, Math.round(score * 100) / 100), reasons };
}

function dueOf(mention: DateMention | undefined, kind: MilestoneKind, hasDocument: boolean): Due {
  if (!mention) return { type: 'none' };
  const v = mention.value;
  if (v.type === 'month') return { type: 'month', month: v.month };
  // A range is the last day for a document, the first day for an activity (reminders lead up to its start).
  if (v.type === 'range') return hasDocument || !ACTIVITY_KINDS.includes(kind) ? { type: 'date', date: v.to, rule: 'by' } : { type: 'date', date: v.from, rule: 'by' };
  if (v.type === 'date') return { type: 'date', date: v.date, rule: mention.rule === 'before' ? 'before' : 'by' };
  return { type: 'none' };
}

function finish(drafts: Draft[]): ProposedMilestone[] {
  const ids = new Set<string>();
  return drafts.map((d, i) => {
    const base = slugOf(d.title);
    let id = base;
    for (let n = 2; ids.has(id); n++) id = `${base.slice(0, 44)}-${n}`;
    ids.add(id);
    const scored = confidenceOf(d);
    return {
      milestoneId: id,
      order: i + 1,
      kind: d.kind,
      title: d.title,
      due: dueOf(d.due, d.kind, d.documents.length > 0),
      ...(d.due ? { dueText: d.due.text } : {}),
      ...(d.place ? { place: d.place } : {}),
      ...(d.participants ? { participants: d.participants } : {}),
      content: d.content,
      responsible: d.responsible,
      documents: d.documents.slice(0, 1),
      notes: d.notes,
      recurring: !ONE_OFF_RE.test(d.title),
      source: d.source,
      line: d.line,
      confidence: scored.confidence,
      reasons: [...scored.reasons, ...d.reasons],
    };
  });
}

/**
 * The milestones a plan's text proposes, with the plan's school year, title and date of issue when the text gives
 * them. Pure and total: any text gives a proposal (possibly with no milestone and a warning).
 */
export function proposeMilestones(text: string, options: ProposeOptions = {}): PlanImportProposal {
  const blocks = parseBlocks(text);
  const issue = issueOf(blocks);
  const schoolYear = options.schoolYear ?? schoolYearIn(blocks) ?? (issue ? schoolYearOf(issue.date) : undefined);
  const warnings: string[] = [];
  if (!schoolYear) {
    warnings.push('Không xác định được năm học của kế hoạch: các ngày không ghi năm (như "19.5", "tháng 12") đã bị bỏ qua. Hãy ghi rõ năm học rồi nhập lại.');
  }
  const drafts: Draft[] = [];
  sectionsOf(blocks).forEach((section, index) => {
    const ctx = { schoolYear, index };
    const kind = activityKindOf(section);
    drafts.push(...(kind ? readActivity(section, kind, ctx) : readOtherSection(section, ctx)));
  });
  fillRecipients(drafts);
  const milestones = finish(drafts);
  if (milestones.length === 0) warnings.push('Không tìm thấy mốc nào trong văn bản. Hãy kiểm tra đây có phải là kế hoạch hoạt động của cụm không.');
  const title = titleOf(blocks);
  return {
    ...(schoolYear ? { schoolYear } : {}),
    ...(title ? { title } : {}),
    ...(issue?.place ? { issuedPlace: issue.place } : {}),
    ...(issue ? { issuedOn: issue.date } : {}),
    milestones,
    warnings,
  };
}
