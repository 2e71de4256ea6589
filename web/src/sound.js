// Tones per priority band, by Web Audio: distinct in pitch and in the number of beeps, so that a
// code blue is told from a bathroom call without looking. Browsers start audio only after a
// user gesture, so the page asks for one ("Enable sound") until the context runs.
const TONES = {
  code: { hz: 880, beeps: 3 },
  emergency: { hz: 740, beeps: 3 },
  assist: { hz: 620, beeps: 2 },
  routine: { hz: 520, beeps: 1 },
  trouble: { hz: 330, beeps: 1 },
  // The screen itself: no link to the server (four low beeps, unlike any call).
  offline: { hz: 392, beeps: 4 },
};

/** A silence covers the other bands only: a code blue, a staff emergency or a lost link always sounds. */
export const NEVER_SILENCED = new Set(["code", "emergency", "offline"]);

/** How long "silence" lasts; then the tones come back by themselves. */
export const SILENCE_MS = 2 * 60_000;

/** Whether a band's tone plays at `now`, with the other bands silenced until `silencedUntil` (ms since the epoch; 0: not silenced). */
export function audible(band, silencedUntil, now) {
  return NEVER_SILENCED.has(band) || now >= silencedUntil;
}

export class Sound {
  #context = null;
  silencedUntil = 0;

  /** True once the browser lets the page play sound. */
  get ready() {
    return this.#context?.state === "running";
  }

  get silenced() {
    return Date.now() < this.silencedUntil;
  }

  /** Silences every band but code and emergency for SILENCE_MS. */
  silence() {
    this.silencedUntil = Date.now() + SILENCE_MS;
  }

  unsilence() {
    this.silencedUntil = 0;
  }

  /** Call from a click or key press. */
  async enable() {
    this.#context ??= new AudioContext();
    await this.#context.resume();
  }

  play(band) {
    if (!this.ready || !audible(band, this.silencedUntil, Date.now())) return;
    const tone = TONES[band] ?? TONES.routine;
    const start = this.#context.currentTime;
    for (let i = 0; i < tone.beeps; i++) {
      const oscillator = this.#context.createOscillator();
      const gain = this.#context.createGain();
      oscillator.frequency.value = tone.hz;
      gain.gain.setValueAtTime(0.25, start + i * 0.3);
      gain.gain.exponentialRampToValueAtTime(0.001, start + i * 0.3 + 0.25);
      oscillator.connect(gain).connect(this.#context.destination);
      oscillator.start(start + i * 0.3);
      oscillator.stop(start + i * 0.3 + 0.25);
    }
  }
}
