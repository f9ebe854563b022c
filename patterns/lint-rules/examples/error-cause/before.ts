export class Settings {
  constructor(private readonly raw: string) {}

  parse(): Record<string, string> {
    try {
      return JSON.parse(this.raw) as Record<string, string>;
    } catch (cause: unknown) {
      throw new TypeError('settings are not JSON');
    }
  }
}
