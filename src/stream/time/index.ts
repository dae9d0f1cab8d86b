// Event time: window assignment and watermarks (µs).
export { windowsOf, lastWindowEnd, nextWatermark, type Interval } from './windows.ts';
