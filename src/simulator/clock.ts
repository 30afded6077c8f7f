// Simulated time: every expiry the simulator enforces (OTP hour, 24-h duplicates, certificate
// validity, 90-day read-only window) reads this clock, so tests move time instead of waiting.

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A base clock (injected, or the system clock) plus an offset or a pinned instant set by control. */
export class SimulatorClock implements Clock {
  private offsetMs = 0;
  private pinnedMs: number | undefined;

  constructor(private readonly base: Clock = systemClock) {}

  now(): Date {
    return new Date((this.pinnedMs ?? this.base.now().getTime()) + this.offsetMs);
  }

  advance(seconds: number): Date {
    this.offsetMs += Math.round(seconds * 1000);
    return this.now();
  }

  /** Pin the clock at an instant (it stays there until advanced or released). */
  set(instant: Date): Date {
    this.pinnedMs = instant.getTime();
    this.offsetMs = 0;
    return this.now();
  }

  release(): Date {
    this.pinnedMs = undefined;
    this.offsetMs = 0;
    return this.now();
  }
}
