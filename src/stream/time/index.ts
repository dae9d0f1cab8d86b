// Event time: window assignment and watermarks (µs).
export { windowsOf, lastWindowEnd, nextWatermark, isoOfMicros, type Interval } from './windows.ts';
