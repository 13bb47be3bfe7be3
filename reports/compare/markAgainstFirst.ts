// How a block of surge figures (connections, protocols) marks its cells: each
// run's cell against the first run's, by the figures the block says differ;
// a run without the row, or a first run without it, marks the row.

interface MarkedCell<F> {
  differs_in: F[];
  differs: boolean;
}

export function markAgainstFirst<F, C extends MarkedCell<F>>(
  row: { cells: Array<C | null>; differs: boolean },
  differing: (first: C, cell: C) => F[],
): void {
  const first = row.cells[0];
  for (const cell of row.cells) {
    if (!cell || cell === first) continue;
    cell.differs_in = first ? differing(first, cell) : [];
    cell.differs = !first || cell.differs_in.length > 0;
  }
  row.differs = row.cells.some((c) => c === null || c.differs);
}
