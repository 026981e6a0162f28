/** Pure formatting of an estimate as markdown, and the marked blocks of docs/operations.md that hold it. */
import { cents, CostLine, Estimate, unitMoney } from './estimate';

const money = (usd: number): string =>
  `$${cents(usd).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

const quantity = (n: number): string => String(Number(n.toFixed(3)));

/** Lines that bill the same item at the same unit price, summed. */
type Row = Omit<CostLine, 'stackName' | 'logicalId' | 'type'>;

export function groupLines(lines: readonly CostLine[]): Row[] {
  const rows = new Map<string, Row>();
  for (const line of lines) {
    const key = `${line.item}\u0000${line.unitPrice}\u0000${line.basis}`;
    const row = rows.get(key);
    rows.set(key, {
      item: line.item,
      unit: line.unit,
      unitPrice: line.unitPrice,
      basis: line.basis,
      unverified: line.unverified || (row?.unverified ?? false),
      quantity: (row?.quantity ?? 0) + line.quantity,
      monthly: (row?.monthly ?? 0) + cents(line.monthly),
    });
  }
  // Largest first; ties by name, so the order never depends on the templates'.
  return [...rows.values()].sort((x, y) => y.monthly - x.monthly || x.item.localeCompare(y.item));
}

const UNVERIFIED = '†';

/**
 * The estimate as markdown: one table (fixed monthly prices, the fixed total, usage-priced items
 * at the stated assumptions, the total with usage) and the notes. Deterministic: the same
 * estimate gives the same text.
 */
export function formatMarkdown(e: Estimate): string {
  const rows = groupLines(e.lines);
  const mark = (unverified: boolean) => (unverified ? ` ${UNVERIFIED}` : '');
  const table: string[][] = [['item', 'quantity', 'price', 'monthly']];
  for (const row of rows) {
    table.push([
      `${row.item}${mark(row.unverified)}`,
      `${quantity(row.quantity)} ${row.unit}`,
      `${unitMoney(row.unitPrice)}/${row.unit} (${row.basis})`,
      money(row.monthly),
    ]);
  }
  table.push(['**fixed total**', '', '', `**${money(e.fixedTotal)}**`]);
  for (const line of e.usage) {
    table.push([
      `usage: ${line.item}${mark(line.unverified)}`,
      `${line.assumption} (assumed)`,
      line.price,
      money(line.monthly),
    ]);
  }
  table.push(['**total with usage**', '', '', `**${money(e.total)}**`]);
  const notes = [
    `${UNVERIFIED} price not confirmed (from memory); every price and its source page: ` +
      '`tools/cost/prices.json`.',
    'Usage lines are assumptions, not measurements; free tiers are not subtracted.',
    ...e.notes,
  ];
  return [
    `**${e.profile}**: ${money(e.fixedTotal)}/month at list price, ${money(e.total)} with usage ` +
      `(${e.table.region}, prices of ${e.table.takenOn}, ${e.table.hoursPerMonth} h/month).`,
    '',
    ...markdownTable(table, ['left', 'left', 'left', 'right']),
    '',
    ...notes.map((note) => `- ${note}`),
    '',
  ].join('\n');
}

/**
 * A markdown table laid out as prettier lays it out (prettier 3, markdown printer, "table"): every
 * column as wide as its widest cell (at least 3), cells padded on the side away from their
 * alignment, the delimiter row of dashes with a colon on the aligned side. So the docs stay as
 * written after `npm run format`. Widths count code points: the cells hold no wide characters.
 */
export function markdownTable(
  rows: readonly (readonly string[])[],
  align: readonly ('left' | 'right')[],
): string[] {
  const width = (text: string) => [...text].length;
  const widths = align.map((_, c) => Math.max(3, ...rows.map((row) => width(row[c] ?? ''))));
  const pad = (text: string, c: number) => {
    const fill = ' '.repeat(widths[c] - width(text));
    return align[c] === 'right' ? `${fill}${text}` : `${text}${fill}`;
  };
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const delimiter = widths.map((w, c) =>
    align[c] === 'right' ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w),
  );
  return [
    line(rows[0].map(pad)),
    line(delimiter),
    ...rows.slice(1).map((row) => line(align.map((_, c) => pad(row[c] ?? '', c)))),
  ];
}

export interface Markers {
  readonly start: string;
  readonly end: string;
}

export function markers(profile: string): Markers {
  return { start: `<!-- cost:${profile}:start -->`, end: `<!-- cost:${profile}:end -->` };
}

/** Exactly what the cost doc holds for a profile, markers included. */
export function costBlock(profile: string, markdown: string): string {
  const { start, end } = markers(profile);
  return `${start}\n\n${markdown.trimEnd()}\n\n${end}`;
}

/** A document's block for a profile, markers included, or undefined when a marker is missing. */
export function extractBlock(doc: string, profile: string): string | undefined {
  const { start, end } = markers(profile);
  const from = doc.indexOf(start);
  const to = doc.indexOf(end, from + start.length);
  if (from < 0 || to < 0) return undefined;
  return doc.slice(from, to + end.length);
}

export const COST_SECTION = '## Cost';

/**
 * The document with the profile's block replaced; a document without the markers gets the block
 * at the end, under a `## Cost` heading (added once).
 */
export function replaceBlock(doc: string, profile: string, block: string): string {
  const current = extractBlock(doc, profile);
  if (current !== undefined) return doc.replace(current, () => block);
  const withSection = doc.includes(`\n${COST_SECTION}\n`)
    ? doc.trimEnd()
    : `${doc.trimEnd()}\n\n${COST_SECTION}\n\n` +
      'Monthly list price of what `npm run synth` builds, from the synthesized templates ' +
      '(`npm run cost`; `npm run cost -- --check-docs` fails when this section is stale).';
  return `${withSection}\n\n${block}\n`;
}
