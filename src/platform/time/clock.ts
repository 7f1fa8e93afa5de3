// The one source of "now" for services: the platform carries a Clock, so a test can pin the time
// a server reads instead of asserting on the wall clock.

/** Returns the current time in milliseconds since the Unix epoch (UTC). */
export type Clock = () => number

/** The system clock (`Date.now()`): what every process uses unless a test injects another. */
export const systemClock: Clock = () => Date.now()
