/**
 * A health path the app does not have answers 404 on every try: waiting for the whole health deadline then only
 * delays the failure. The watch gives up once every HTTP answer so far was a 404, for at least `afterMs` since the
 * first one (connection errors while the app starts listening are ignored).
 */
export class NotFoundWatch {
  private firstAt: number | null = null;
  private count = 0;
  private other = false;

  constructor(
    private readonly afterMs: number,
    private readonly minAnswers = 3,
    private readonly now: () => number = () => performance.now(),
  ) {}

  record(detail: string): void {
    const status = /answered (\d{3})/.exec(detail)?.[1];
    if (!status) return;
    if (status !== '404') {
      this.other = true;
      return;
    }
    this.firstAt ??= this.now();
    this.count++;
  }

  get givesUp(): boolean {
    return !this.other && this.firstAt !== null && this.count >= this.minAnswers && this.now() - this.firstAt >= this.afterMs;
  }
}
