/**
 * A label whose values come from callers (operation names, client names): each value is clipped,
 * and only the first `maxValues` distinct ones are kept, the rest counted as `other`. Every label
 * value is a time series Prometheus keeps; unbounded caller text would let any caller grow the
 * gateway's memory and the monitoring system's without end.
 */
export class BoundedLabel {
  private readonly seen = new Set<string>();

  constructor(
    /** Most distinct values kept. */
    private readonly maxValues: number,
    /** Longest value kept, in characters. */
    private readonly maxLength: number,
  ) {}

  /** The label value for `text`: itself (clipped) while there is room, else `other`; `fallback` when empty. */
  valueOf(text: string | null | undefined, fallback: string): string {
    if (!text) return fallback;
    const value = text.length > this.maxLength ? text.slice(0, this.maxLength) : text;
    if (this.seen.has(value)) return value;
    if (this.seen.size >= this.maxValues) return 'other';
    this.seen.add(value);
    return value;
  }
}
