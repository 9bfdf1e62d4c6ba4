import { secretForms } from '../secrets/forms.js';

export interface RedactorOptions {
  /**
   * Values that are never treated as secrets although an env file holds them (`NODE_ENV=production`, the app's name):
   * hiding them would only mangle environment names and records, and they give nothing away.
   */
  publicValues?: Iterable<string>;
}

/** Replaces every known secret value in a text with `***`. Values shorter than 4 characters are ignored to avoid mangling ordinary words. */
export class Redactor {
  private readonly secrets = new Set<string>();
  private readonly publicValues: Set<string>;
  private sorted: string[] | null = null;

  constructor(options: RedactorOptions = {}) {
    this.publicValues = new Set(options.publicValues ?? []);
  }

  add(...values: Array<string | undefined>): void {
    for (const value of values) {
      if (!value || this.publicValues.has(value)) continue;
      for (const form of secretForms(value)) {
        if (form.length >= 4 && !this.publicValues.has(form)) this.secrets.add(form);
      }
    }
    this.sorted = null;
  }

  redact(text: string): string {
    if (this.secrets.size === 0) return text;
    this.sorted ??= [...this.secrets].sort((a, b) => b.length - a.length);
    let out = text;
    for (const secret of this.sorted) {
      if (out.includes(secret)) out = out.split(secret).join('***');
    }
    return out;
  }

  get size(): number {
    return this.secrets.size;
  }
}
