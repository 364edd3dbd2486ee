import type { LocalDate } from './mbanq-store.js';

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

export class FineractDateError extends Error {
  constructor(
    message: string,
    /** `dateFormat` or `locale` when that is what is wrong, else the date member. */
    readonly culprit: 'value' | 'dateFormat' | 'locale',
  ) {
    super(message);
    this.name = 'FineractDateError';
  }
}

/** Fineract reads dates with Java's DateTimeFormatter; the sandbox knows month names in English only. */
function knowsMonthNames(locale: string): boolean {
  return /^en([_-][A-Za-z]{2})?$/.test(locale);
}

/**
 * Reads `text` written in the Java date pattern `dateFormat` (`dd MMMM yyyy`, `yyyy-MM-dd`,
 * `dd/MM/yyyy`, `d MMM yyyy`, ...) for `locale`, the way Fineract reads every date it is sent.
 * Letters other than y, M and d are refused: a time of day has no place in these dates.
 */
export function parseFineractDate(text: string, dateFormat: string, locale: string): LocalDate {
  const tokens = dateFormat.match(/y+|M+|d+|'[^']*'|[A-Za-z]|[^A-Za-z']+/g) ?? [];
  let pattern = '';
  const fields: ('year' | 'month' | 'monthName' | 'day')[] = [];
  for (const token of tokens) {
    if (/^y+$/.test(token)) {
      if (token.length === 2 || token.length > 4) throw new FineractDateError(`dateFormat "${dateFormat}": write the year as yyyy`, 'dateFormat');
      pattern += '(\\d{4})';
      fields.push('year');
    } else if (/^M+$/.test(token)) {
      if (token.length >= 3) {
        if (!knowsMonthNames(locale)) throw new FineractDateError(`locale "${locale}" is not supported for month names; use en`, 'locale');
        pattern += token.length === 3 ? '([A-Za-z]{3})' : '([A-Za-z]+)';
        fields.push('monthName');
      } else {
        pattern += token.length === 2 ? '(\\d{2})' : '(\\d{1,2})';
        fields.push('month');
      }
    } else if (/^d+$/.test(token)) {
      if (token.length > 2) throw new FineractDateError(`dateFormat "${dateFormat}": write the day as d or dd`, 'dateFormat');
      pattern += token.length === 2 ? '(\\d{2})' : '(\\d{1,2})';
      fields.push('day');
    } else if (/^[A-Za-z]$/.test(token)) {
      throw new FineractDateError(`dateFormat "${dateFormat}": only y, M and d are supported in dates`, 'dateFormat');
    } else {
      const literal = token.startsWith("'") ? token.slice(1, -1) : token;
      pattern += literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    }
  }
  if (!['year', 'day'].every((f) => fields.includes(f as never)) || !(fields.includes('month') || fields.includes('monthName'))) {
    throw new FineractDateError(`dateFormat "${dateFormat}" must give the year, the month and the day`, 'dateFormat');
  }
  const match = new RegExp(`^${pattern}$`, 'i').exec(text.trim());
  if (!match) throw new FineractDateError(`"${text}" is not a date in the format "${dateFormat}"`, 'value');
  const date = { year: 0, month: 0, day: 0 };
  fields.forEach((field, i) => {
    const part = match[i + 1];
    if (field === 'monthName') {
      const name = part.toLowerCase();
      date.month = MONTHS.findIndex((m) => (part.length === 3 ? m.slice(0, 3) === name : m === name)) + 1;
    } else date[field] = Number(part);
  });
  const check = new Date(Date.UTC(date.year, date.month - 1, date.day));
  if (date.month < 1 || check.getUTCFullYear() !== date.year || check.getUTCMonth() !== date.month - 1 || check.getUTCDate() !== date.day) {
    throw new FineractDateError(`"${text}" is not a valid calendar date`, 'value');
  }
  return date;
}

export function compareDates(a: LocalDate, b: LocalDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

/** Today in UTC, per the sandbox clock. */
export function toLocalDate(epochMs: number): LocalDate {
  const d = new Date(epochMs);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Fineract serialises a LocalDate as `[year, month, day]`. */
export const dateArray = (d: LocalDate): [number, number, number] => [d.year, d.month, d.day];
