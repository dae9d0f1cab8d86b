// Event time: window assignment, sessions and watermarks (µs).
export { windowsOf, lastWindowEnd, nextWatermark, isoOfMicros, microsOfMillis, floorDiv, type Interval, type FixedWindowSpec } from './windows.ts';
export { addToSessions, type Session } from './sessions.ts';
