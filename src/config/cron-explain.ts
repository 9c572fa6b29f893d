/**
 * Why a cron expression is invalid, in the admin's terms ("hour 25 is out of range (0–23)"). node-cron stays
 * the judge of validity (it only answers yes or no); this reads the expression the way node-cron 4 does —
 * five fields, or six with seconds first; `*`, `a`, `a-b`, `/step`, lists; month and weekday names — to say
 * which field is wrong.
 */

interface Field {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const FIELDS: readonly Field[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'weekday', min: 0, max: 7, names: WEEKDAYS },
];
const SECOND: Field = { name: 'second', min: 0, max: 59 };
const SHAPE = 'five fields: minute hour day-of-month month weekday, or six with seconds first';

/** What is wrong with an expression node-cron rejected; a general hint when no single field is at fault. */
export function explainCron(expr: string): string {
  const parts = expr.trim().split(/\s+/).filter((p) => p !== '');
  if (parts.length !== 5 && parts.length !== 6) return `it has ${parts.length} field${parts.length === 1 ? '' : 's'}; cron needs ${SHAPE}`;
  const fields = parts.length === 6 ? [SECOND, ...FIELDS] : FIELDS;
  for (let i = 0; i < parts.length; i++) {
    const problem = fieldProblem(parts[i]!, fields[i]!);
    if (problem !== null) return problem;
  }
  return SHAPE;
}

function fieldProblem(text: string, f: Field): string | null {
  for (const part of text.split(',')) {
    if (part === '') return `${f.name} "${text}" has an empty list item`;
    const [base = '', step, extra] = part.split('/');
    if (extra !== undefined) return `${f.name} "${part}" has more than one "/"`;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0)) return `${f.name} step "/${step}" must be a whole number of 1 or more`;
    if (base === '*') continue;
    const ends = base.split('-');
    if (ends.length > 2 || ends.includes('')) return `${f.name} "${part}" is not a number, a range (a-b), a step (*/n) or a list (a,b)`;
    const values: number[] = [];
    for (const end of ends) {
      const v = valueOf(end, f);
      if (v === null) {
        const named = f.names ? ` or a name (${f.names[0]}…${f.names.at(-1)})` : '';
        return `${f.name} "${end}" is not a number${named}`;
      }
      if (v < f.min || v > f.max) return `${f.name} ${v} is out of range (${f.min}–${f.max})`;
      values.push(v);
    }
    if (values.length === 2 && values[0]! > values[1]!) return `${f.name} range ${base} runs backwards (write the smaller value first)`;
  }
  return null;
}

function valueOf(token: string, f: Field): number | null {
  if (/^\d+$/.test(token)) return Number(token);
  const i = f.names?.findIndex((n) => token.toLowerCase().startsWith(n)) ?? -1;
  if (i < 0) return null;
  return f.names === MONTHS ? i + 1 : i;
}
