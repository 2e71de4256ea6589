// Tones by Web Audio, told apart by rhythm as well as pitch, so that a code blue is known from a
// bathroom call without looking. The patterns follow IEC 60601-1-8's idea of priority: the more
// urgent, the more pulses and the faster (its high-priority burst is 3 + 2 pulses, twice); a
// patient call is two slow notes, a bathroom call one long one. Browsers start audio only after a
// user gesture, so the page asks for one ("Enable sound") until the context runs.

/** Pulses at the given slots of `period` ms, each `length` ms long. */
function pulses(slots, period, length) {
  return slots.map((slot) => ({ at: slot * period, length }));
}

const TONES = {
  code: { hz: 880, pulses: pulses([0, 1, 2, 4, 5, 10, 11, 12, 14, 15], 110, 90) },
  emergency: { hz: 740, pulses: pulses([0, 1, 2, 4, 5], 110, 90) },
  assist: { hz: 620, pulses: pulses([0, 1, 2], 350, 200) },
  routine: { hz: 520, pulses: pulses([0, 1], 700, 350) },
  bath: { hz: 520, pulses: pulses([0], 1000, 900) },
  trouble: { hz: 330, pulses: pulses([0], 300, 150) },
  // The screen itself: no link to the server (four low, even beeps, unlike any call).
  offline: { hz: 392, pulses: pulses([0, 1, 2, 3], 500, 250) },
};

/** A tone's pulses (onset and length, ms): what tells it apart besides its pitch. */
export function rhythm(tone) {
  return (TONES[tone] ?? TONES.routine).pulses;
}

/** The tone of a call: its band's, but a bathroom call has its own within the routine band. */
export function toneOf(call) {
  return call.kind === "bath" ? "bath" : call.band;
}

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

  /** Plays a tone (a band, "bath" or "offline") unless it is silenced. */
  play(tone) {
    if (!this.ready || !audible(tone, this.silencedUntil, Date.now())) return;
    const { hz } = TONES[tone] ?? TONES.routine;
    const start = this.#context.currentTime;
    for (const pulse of rhythm(tone)) {
      const [on, off] = [start + pulse.at / 1000, start + (pulse.at + pulse.length) / 1000];
      const oscillator = this.#context.createOscillator();
      const gain = this.#context.createGain();
      oscillator.frequency.value = hz;
      gain.gain.setValueAtTime(0.25, on);
      gain.gain.exponentialRampToValueAtTime(0.001, off);
      oscillator.connect(gain).connect(this.#context.destination);
      oscillator.start(on);
      oscillator.stop(off);
    }
  }
}
