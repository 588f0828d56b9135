// One timer for many deadlines: the owner keeps the deadlines, the timer fires at the earliest one. With
// 1,000 instances or hollow nodes that is one pending setTimeout instead of 1,000 (and one wake-up serves
// every deadline that fell due together).

export class DeadlineTimer {
  readonly #onDue: () => void;
  #timer: NodeJS.Timeout | undefined;
  #armedAt = Infinity;

  /** `onDue` runs when the earliest armed deadline passes; it re-arms with the owner's next deadline. */
  constructor(onDue: () => void) {
    this.#onDue = onDue;
  }

  /** Makes sure the timer fires no later than `atMs` (epoch ms); a later deadline than the armed one is kept. */
  arm(atMs: number): void {
    if (!Number.isFinite(atMs) || atMs >= this.#armedAt) return;
    clearTimeout(this.#timer);
    this.#armedAt = atMs;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#armedAt = Infinity;
      this.#onDue();
    }, Math.max(0, atMs - Date.now()));
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedAt = Infinity;
  }
}
