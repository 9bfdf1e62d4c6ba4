/** Replaces every known secret value in a text with `***`. Values shorter than 4 characters are ignored to avoid mangling ordinary words. */
export class Redactor {
  private readonly secrets = new Set<string>();

  add(...values: Array<string | undefined>): void {
    for (const value of values) if (value && value.length >= 4) this.secrets.add(value);
  }

  redact(text: string): string {
    let out = text;
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      out = out.split(secret).join('***');
    }
    return out;
  }

  get size(): number {
    return this.secrets.size;
  }
}
