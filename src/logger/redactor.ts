/** Replaces every known secret value in text with a fixed marker before it is written anywhere. */
export class Redactor {
  private readonly secrets: string[];

  constructor(secrets: readonly string[]) {
    this.secrets = [...new Set(secrets.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
  }

  /** The bytes with every secret replaced; the same Buffer when none occurs (the common case, checked without decoding). */
  redactBytes(bytes: Buffer): Buffer {
    return this.secrets.some((s) => bytes.includes(s)) ? Buffer.from(this.redact(bytes.toString('utf8'))) : bytes;
  }

  /** A redactor that also hides `more` (e.g. the values a cycle's MCP servers were given). */
  with(more: readonly string[]): Redactor {
    return more.length ? new Redactor([...this.secrets, ...more]) : this;
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join('[REDACTED]');
    return out;
  }
}
