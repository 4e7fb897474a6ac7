/** A plain-text table: one header row, a rule, and the rows, columns padded to fit. */
export function formatTable(headers: string[], rows: string[][], indent = ""): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: string[]) =>
    indent +
    cells
      .map((cell, column) => (cell ?? "").padEnd(widths[column]))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

/** Shows enough of an identifier to recognize it, never a whole credential. */
export function mask(value: string): string {
  return value.length <= 8 ? "*".repeat(value.length) : `${value.slice(0, 6)}…${value.slice(-2)}`;
}
