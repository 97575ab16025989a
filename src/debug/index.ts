/** `magik-parity debug`: the guide's json `debug` option as one command (src/debug/run-debug.ts). */
export { runDebug, DISTANCE_TEXT_FILE, DISTANCE_JSON_FILE, type DebugOptions, type DebugResult, type DebugStage } from './run-debug.js';
export { resolveDebugInputs, type DebugInputs, type DebugInputOptions } from './debug-inputs.js';
export { layerStats, aggregateLayer, imageStats, type ImageLayerStats, type DistanceRow } from './distance.js';
export { formatDistanceTable, distanceTableJson, fmtVendor, DISTANCE_BANNER, DISTANCE_DECIMALS, type DistanceTable, type DebugImage } from './distance-table.js';
